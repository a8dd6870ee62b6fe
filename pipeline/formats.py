"""File names and formats: the one suffix table for the extractors, `nianbao convert -r` and the batch.

The extractors decide a format by content and use this table only to break ties; the directory and
archive walks use it to pick documents out of everything else (truth.json, images, spreadsheets).
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
# read when named on the command line, never picked out of a directory or an archive: there a .csv or
# .tsv is a data table far more often than a report flattened to text
NAMED_ONLY: frozenset[str] = frozenset({".csv", ".tsv"})
# what directory and archive walks pick up as documents
# pictures: read by OCR (seconds each) when named, never picked out of a directory, where they are mostly
# logos, photos and page furniture
PICTURE_SUFFIXES: frozenset[str] = frozenset(s for s, f in SUFFIX_FORMAT.items() if f == "image")
DOC_SUFFIXES: frozenset[str] = frozenset(SUFFIX_FORMAT) - NAMED_ONLY - PICTURE_SUFFIXES
# archives the batch opens and walks (never a document itself)
ARCHIVE_SUFFIXES: frozenset[str] = frozenset({".zip"})
