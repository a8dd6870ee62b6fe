"""The OOXML package of a .docx: the zip, its parts, relationships and document properties.

Read with zipfile and lxml rather than python-docx: opening a document with python-docx alone
costs ~15 ms (it loads and wraps every part), the whole extraction budget. Every failure of a bad
package becomes an ExtractionError with one line of reason.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from pipeline.errors import ExtractionError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "/officeDocument"  # relationship types end with this in both transitional and strict

# A report's document.xml is ~100 KB and compresses ~10:1; these only stop zip bombs.
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, checked on parts over RATIO_FLOOR bytes
RATIO_FLOOR = 4 * 1024 * 1024

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                          remove_pis=True)


def parse_xml(data: bytes) -> etree._Element:
    """A part's root element; no entity expansion, no network."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"broken XML in the document: {' '.join(str(exc.msg).split())}",
                              kind="corrupt") from None


@dataclass
class Package:
    """The parts the extractor reads, as bytes (None when the package lacks them)."""

    document: bytes
    styles: bytes | None
    numbering: bytes | None
    core: bytes | None
    app: bytes | None
    images: dict[str, str] = field(default_factory=dict)  # relationship id -> image part (word/media/...)
    read: Callable[[str], bytes | None] = lambda name: None  # a part's bytes, with the size checks


def open_package(data: bytes) -> Package:
    """The main document part and its styles, numbering and properties, found via the relationships."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ExtractionError("an OLE compound file, not a DOCX (legacy .doc, or an encrypted DOCX)",
                              kind="unsupported")
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError, zlib.error) as exc:
        raise ExtractionError(f"not a valid DOCX (zip): {exc}", kind="corrupt") from None

    def read(name: str | None) -> bytes | None:
        if not name or name not in names:
            return None
        info = zf.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise ExtractionError(f"part {name} is implausibly large ({info.file_size} bytes): a zip bomb?",
                                  kind="too_large")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise ExtractionError(f"part {name} inflates {info.file_size // max(1, info.compress_size)}:1"
                                  " (a zip bomb?)", kind="too_large")
        if info.flag_bits & 0x1:
            raise ExtractionError("the DOCX is encrypted", kind="encrypted")
        try:
            return zf.read(name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError,
                NotImplementedError, RuntimeError) as exc:  # RuntimeError: zipfile's "password required"
            raise ExtractionError(f"cannot read part {name}: {exc}", kind="corrupt") from None

    root_rels = _rels(read("_rels/.rels"), "")
    main = root_rels.get(OFFICE_DOC) or ("word/document.xml" if "word/document.xml" in names else None)
    if not main or main not in names:
        if "content.xml" in names:
            raise ExtractionError("an OpenDocument file, not a DOCX", kind="unsupported")
        raise ExtractionError("not a Word document: the zip has no main document part", kind="corrupt")
    document = read(main)
    assert document is not None
    doc_rels = _rels(read(_rels_name(main)), posixpath.dirname(main))
    return Package(
        images=_image_rels(read(_rels_name(main)), posixpath.dirname(main)),
        read=read,
        document=document,
        styles=read(doc_rels.get("/styles")),
        numbering=read(doc_rels.get("/numbering")),
        core=read(root_rels.get("/core-properties") or ("docProps/core.xml" if "docProps/core.xml" in names else None)),
        app=read(root_rels.get("/extended-properties")),
    )


def _rels_name(part: str) -> str:
    head, tail = posixpath.split(part)
    return posixpath.join(head, "_rels", tail + ".rels")


def _relationships(xml: bytes | None, base: str) -> list[tuple[str, str, str]]:
    """(type, id, part name) of each internal target of a .rels part; [] when there is none or it is broken."""
    if not xml:
        return []
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        return []
    out = []
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out.append((rel.get("Type", ""), rel.get("Id", ""), name))
    return out


def _rels(xml: bytes | None, base: str) -> dict[str, str]:
    """Relationship type suffix ("/styles") -> part name, for the internal targets of a .rels part."""
    out: dict[str, str] = {}
    for kind, _, name in _relationships(xml, base):
        out.setdefault(kind[kind.rfind("/"):], name)
    return out


def _image_rels(xml: bytes | None, base: str) -> dict[str, str]:
    """Relationship id -> part name for the document's internal image relationships."""
    return {rid: name for kind, rid, name in _relationships(xml, base) if kind.endswith("/image")}


_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy": "last_modified_by",
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
}


def metadata(pkg: Package) -> dict[str, str]:
    """Core properties as strings (title, author, created, modified...), the authoring application,
    and the page count the authoring program last saved (`saved_pages`: a hint, often stale, so it is
    not the Source's `pages`)."""
    meta: dict[str, str] = {}
    for xml, is_core in ((pkg.core, True), (pkg.app, False)):
        if not xml:
            continue
        try:
            root = etree.fromstring(xml, _PARSER)
        except etree.XMLSyntaxError:
            continue
        for el in root:
            if not isinstance(el.tag, str):
                continue
            text = (el.text or "").strip()
            if not text:
                continue
            if is_core and el.tag in _CORE:
                meta[_CORE[el.tag]] = text
            elif not is_core:
                local = etree.QName(el).localname
                if local == "Application":
                    meta["application"] = text
                elif local == "Pages" and text.isdigit():
                    meta["saved_pages"] = text
    return meta
