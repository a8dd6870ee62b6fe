"""A saved page whose report is an attachment: `附件：XX年政府信息公开工作年度报告.pdf` and no tables.

Many portals publish the report as a PDF/DOC/XLS attachment under a short notice. When the page read
holds no table and links a document that lies beside it (see html/resources.py for where), the
attachment is converted and becomes the document's content; the page describes it:

- `Source` stays the page (the file given: the batch's row, the cache key) and `Source.attachment`
  is the attachment's own Source (path, sha256, format, extractor, pages, metadata);
- the page's metadata (title, ArticleTitle, 发布时间, 发布机构...) fills the keys the attachment's
  metadata lacks, so the normaliser finds a title, an agency or a date the attachment does not say;
- the blocks are the attachment's; but a workbook (.xls/.xlsx/.et) holds a table and no prose, so
  when the attachment is one, the page's text stays the report and the workbook's blocks stand where
  the page links it (a pre-2019 report whose 统计表 is `附表：2014年政府信息公开情况统计表.xls`).

A linked attachment that is not there is one line naming it. An attachment that is itself an HTML
page (a failed download saved as .pdf) is refused rather than followed, so links never loop.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree

from extractors.html import resources
from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Paragraph
from pipeline.intermediate import Warning as ExtractWarning
from pipeline.settings import ExtractOptions

# what an attachment can be: the formats the other extractors read
DOCUMENT_SUFFIXES = frozenset((".pdf", ".doc", ".docx", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".xlsm", ".et",
                               ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"))
_ATTACHMENT_WORD = re.compile(r"附\s*件|下\s*载|附\s*表")
WORKBOOK_FORMATS = frozenset(("xlsx", "xls", "et"))  # tables without prose: the page around them is the report


def _suffix(text: str) -> str:
    return PurePosixPath(unquote(urlsplit(text.strip()).path).replace("\\", "/")).suffix.lower()


def document_links(container: etree._Element) -> list[tuple[str, str]]:
    """(href, anchor text) of the links to documents in a page's content, those marked 附件 first."""
    marked: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        text = " ".join("".join(a.itertext()).split())
        if not href or not (_suffix(href) in DOCUMENT_SUFFIXES or _suffix(text) in DOCUMENT_SUFFIXES):
            continue
        parent = a.getparent()
        context = "".join(parent.itertext()) if parent is not None else text
        (marked if _ATTACHMENT_WORD.search(context) else other).append((href, text))
    return marked + other


def linked_files(page: Path, container: etree._Element) -> list[Path]:
    """The attachments of a page that are present beside it (for a batch: they are not reports of their own)."""
    found = []
    for href, text in document_links(container):
        path = resources.find(page, href) or (resources.find(page, text) if _suffix(text) else None)
        if path is not None and path not in found:
            found.append(path)
    return found


def find_attachment(page: Path, container: etree._Element) -> tuple[Path | None, str | None]:
    """(the attachment that lies beside the page, None) or (None, the name of a linked one that does not);
    (None, None) when the page links no document."""
    links = document_links(container)
    for href, text in links:
        path = resources.find(page, href) or (resources.find(page, text) if _suffix(text) else None)
        if path is not None:
            return path, None
    if not links:
        return None, None
    href, text = links[0]
    return None, text if _suffix(text) else unquote(PurePosixPath(urlsplit(href).path).name) or href


def read_attachment(page: Path, attachment: Path, page_doc: Document,
                    options: ExtractOptions | None = None) -> Document:
    """The page as its attachment's content."""
    return _merge(page_doc, _extract(attachment, options))


def missing(page: Path, name: str) -> ExtractionError:
    return ExtractionError(f"the page's report is the attachment {name!r}, which is not beside it "
                           f"(looked in {page.parent.name or '.'}/ and {page.stem}_files/)", kind="corrupt")


def _extract(path: Path, options: ExtractOptions | None) -> Document:
    from extractors import extract, sniff

    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise ExtractionError(f"cannot read the attachment {path.name}: {exc.strerror or exc}",
                              kind="unreadable") from None
    try:
        fmt = sniff(path, head)
    except ExtractionError as exc:
        raise ExtractionError(f"the attachment {path.name}: {exc}", kind=getattr(exc, "kind", "corrupt")) from None
    if fmt in ("html", "mhtml"):
        raise ExtractionError(f"the attachment {path.name} is a web page, not the report (a failed download?)",
                              kind="unsupported")
    try:
        return extract(path, fmt, max_bytes=resources.MAX_FILE_BYTES, options=options)
    except ExtractionError as exc:
        raise ExtractionError(f"the attachment {path.name}: {exc}", kind=getattr(exc, "kind", "corrupt")) from None


def _merge(page_doc: Document, attached: Document) -> Document:
    source = page_doc.source.model_copy()
    metadata = dict(attached.source.metadata)
    for key, value in page_doc.source.metadata.items():
        metadata.setdefault(key, value)
    source.metadata = metadata
    source.attachment = attached.source
    source.pages = attached.source.pages
    note = ExtractWarning(code="attachment", message=f"the report is the page's attachment "
                                                     f"{Path(attached.source.path).name} ({attached.source.format})")
    blocks = attached.blocks
    if attached.source.format in WORKBOOK_FORMATS:
        blocks = _in_place(page_doc.blocks, attached.blocks, Path(attached.source.path).stem)
    return Document(source=source, blocks=blocks, warnings=[note, *page_doc.warnings, *attached.warnings])


def _in_place(page: list, attached: list, name: str) -> list:
    """The page's blocks with the attachment's after the paragraph that links it (else at the end)."""
    at = next((i + 1 for i, b in reversed(list(enumerate(page))) if isinstance(b, Paragraph) and name in b.text),
              len(page))
    return [*page[:at], *attached, *page[at:]]
