"""File names and formats: the one suffix table for the extractors, `nianbao convert -r` and the batch.

Formats are decided by content; this table only breaks ties (a text file's name) and names what a file
refused before it was read is recorded as. Directory and archive walks sniff every file, whatever its name.
"""

from __future__ import annotations

# suffix (lower case, with the dot) -> the format its file is read as when the content does not decide
SUFFIX_FORMAT: dict[str, str] = {
    ".txt": "txt", ".md": "txt", ".text": "txt", ".csv": "txt", ".tsv": "txt",
    ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".odt": "odt",
    ".pdf": "pdf", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".mht": "mhtml", ".mhtml": "mhtml",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "et",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".bmp": "image",
    ".gif": "image", ".webp": "image",
}
# archives the batch opens and walks (never a document itself)
ARCHIVE_SUFFIXES: frozenset[str] = frozenset({".zip"})
