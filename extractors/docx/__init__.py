"""DOCX extractor: a Word 2007+ document into the intermediate form.

The package is read with zipfile + lxml (docx_package), the body walked in reading order with exact
spans (docx_body), list numbers rendered (docx_numbering). python-docx is not used here: opening a
document with it alone costs about the whole 15 ms budget of an extraction. The legacy extractor
(.doc/.wps/.rtf/.odt via LibreOffice) calls `read_docx` on its converted output; never the other way
round: a ".docx" that is really an OLE .doc or an .odt is sent to legacy by `extractors.sniff`, and
given here it is refused as unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.docx.body import BodyReader, Styles
from extractors.docx.numbering import Numbering
from extractors.docx.package import W_NS, W_STRICT_NS, metadata, open_package, parse_xml
from extractors.pictures import PictureSlot
from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Paragraph, Source, Table
from pipeline.intermediate import Warning as ExtractWarning

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

NAME = "docx"
VERSION = "1.0.0"


@dataclass
class DocxContent:
    blocks: list[Paragraph | Table]
    warnings: list[ExtractWarning] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


def read_docx(data: bytes, options: ExtractOptions | None = None) -> DocxContent:
    """Blocks, warnings and metadata of DOCX bytes; ExtractionError for anything that is not one."""
    pkg = open_package(data)
    root = parse_xml(pkg.document)
    ns = W_STRICT_NS if str(root.tag).startswith(f"{{{W_STRICT_NS}}}") else W_NS
    w = f"{{{ns}}}"
    body = root.find(w + "body")
    if body is None:
        raise ExtractionError("not a Word document: the main part has no w:body", kind="corrupt")
    styles = Styles.parse(pkg.styles, w) if pkg.styles and b"pStyle" in pkg.document else Styles()
    numbered = b"numPr" in pkg.document or any(s.num_id for s in styles.by_id.values())
    numbering = Numbering.parse(pkg.numbering if numbered else None, ns)
    reader = BodyReader(ns, styles, numbering)
    blocks = reader.blocks(body)
    if pkg.images and not any(isinstance(b, Table) and b.n_rows >= 3 and b.n_cols >= 3 for b in blocks):
        # no table of its own: its pages or tables may be pictures, read by OCR where they stand
        # (a second walk, so that the common document with tables never pays for looking at pictures)
        from extractors.pictures import Picture, fill_slots

        reader = BodyReader(ns, styles, numbering, pictures=True)
        blocks = reader.blocks(body)

        def resolve(rid: str) -> Picture | None:
            name = pkg.images.get(rid)
            data = pkg.read(name) if name else None
            return Picture(name, data) if name and data else None

        filled = fill_slots(blocks, resolve, reader.warnings, options)
        return DocxContent(blocks=filled, warnings=reader.warnings, metadata=metadata(pkg))
    plain = [b for b in blocks if not isinstance(b, PictureSlot)]  # a reader without pictures emits none
    return DocxContent(blocks=plain, warnings=reader.warnings, metadata=metadata(pkg))


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    content = read_docx(data, options)
    source = Source.describe(path, data, fmt, NAME, VERSION, metadata=content.metadata)
    return Document(source=source, blocks=content.blocks, warnings=content.warnings)
