"""Special inputs built from scratch: hostile containers, deep nesting, huge tables, big PDFs.

Every generator returns the file's bytes (cheaply: the ~100 MB PDF takes well under a second).
They are shared by the fuzz runner and by tests/test_hostile.py.
"""

from __future__ import annotations

import io
import random
import stat
import struct
import tarfile
import zipfile
from collections.abc import Callable

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.wordprocessingml.document.main+xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')

SECRET_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:")

# ------------------------------------------------------------------------------------------------ DOCX


def para(text: str) -> str:
    """One w:p holding text."""
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def document_xml(body: str, doctype: str = "") -> bytes:
    """A document.xml with the given body content (and an optional DOCTYPE before the root)."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
            f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>').encode()


def make_docx(document: bytes, extra: dict[str, bytes] | None = None,
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal DOCX package around a document.xml (extra parts added as given)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def report_body(rows: int = 3) -> str:
    """A few paragraphs and a small application table: enough text to look like a report."""
    cells = "".join(f"<w:tc>{para(str(v))}</w:tc>" for v in range(1, 10))
    table = "<w:tbl>" + "".join(
        f"<w:tr><w:tc>{para('本年新收政府信息公开申请数量')}</w:tc>{cells}</w:tr>" for _ in range(rows)) + "</w:tbl>"
    return para("某某县人民政府2023年政府信息公开工作年度报告") + para("一、总体情况") + table


def docx_billion_laughs() -> bytes:
    """Entity expansion: lol9 would be 10^9 'lol's if expanded."""
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE w:document [{ents}]>"
    return make_docx(document_xml(para("&lol9;") + report_body(), doctype))


def docx_quadratic_blowup() -> bytes:
    """One 50 KB entity referenced 5,000 times (defeats naive depth limits)."""
    doctype = f'<!DOCTYPE w:document [<!ENTITY a "{"a" * 50_000}">]>'
    return make_docx(document_xml(para("&a;" * 5000) + report_body(), doctype))


def docx_external_entity(url: str = "file:///etc/passwd", part: str = "word/document.xml") -> bytes:
    """An external general entity (file or URL) referenced in the text of a part."""
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}">]>'
    doc = document_xml(para("泄露：&xxe;") + report_body(), doctype)
    if part == "word/document.xml":
        return make_docx(doc)
    styles = (f'<?xml version="1.0"?>\n<!DOCTYPE w:styles [<!ENTITY xxe SYSTEM "{url}">]>'
              f'<w:styles xmlns:w="{W}"><w:style w:styleId="&xxe;"/></w:styles>').encode()
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/styles" Target="styles.xml"/></Relationships>')
    doc = document_xml(para("&#x6CC4;") + report_body().replace("<w:p>", '<w:p><w:pPr><w:pStyle w:val="x"/></w:pPr>', 1))
    return make_docx(doc, {"word/_rels/document.xml.rels": rels, "word/styles.xml": styles})


def docx_external_dtd(url: str) -> bytes:
    """An external DTD and an external parameter entity: loading either would fetch the URL."""
    doctype = f'<!DOCTYPE w:document SYSTEM "{url}/dtd" [<!ENTITY % p SYSTEM "{url}/param"> %p;]>'
    return make_docx(document_xml(report_body(), doctype))


def docx_zip_bomb_ratio(megabytes: int = 150) -> bytes:
    """A document.xml of `megabytes` MB of tiny paragraphs (~1000:1 compression)."""
    unit = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>"
    body = unit * (megabytes * 1024 * 1024 // len(unit))
    head = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
    return make_docx(head + body + b"</w:body></w:document>")


def docx_zip_bomb_size(megabytes: int = 300) -> bytes:
    """A document.xml declaring (and holding) more than the extractor's part limit."""
    head = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
    return make_docx(head + b" " * (megabytes * 1024 * 1024) + b"</w:body></w:document>")


def _patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size of member `name` in its local and central headers."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if bytes(out[pos + 30:pos + 30 + n]) == name:
            struct.pack_into("<I", out, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + n]) == name:
            struct.pack_into("<I", out, pos + 24, size)
        pos += 4
    return bytes(out)


def docx_zip_bomb_lying() -> bytes:
    """document.xml declares 2 KB but inflates to 200 MB: the reader must stop at the declared size."""
    head = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
    return _patch_sizes(make_docx(head + b" " * (200 * 1024 * 1024) + b"</w:body></w:document>"),
                        b"word/document.xml", 2048)


def zip_with_names(names: list[str], payload: bytes = b"x") -> bytes:
    """A zip whose members have the given (possibly hostile) names; NUL is patched in afterwards."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name.replace("\x00", "\x01"), payload)
    return _nul_names(buf.getvalue(), names)


def _nul_names(data: bytes, names: list[str]) -> bytes:
    """Put the NUL bytes back into member names (zipfile refuses to write them)."""
    for name in names:
        if "\x00" in name:
            data = data.replace(name.replace("\x00", "\x01").encode(), name.encode())
    return data


def docx_hostile_names() -> bytes:
    """A real-looking DOCX plus members named ../../x, /abs and with a NUL byte."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("word/document.xml", document_xml(report_body()))
        for name in ("../../nianbao_escape.txt", "/tmp/nianbao_abs.txt", "word/evil\x01name.xml"):
            zf.writestr(name, b"escaped")
    return _nul_names(buf.getvalue(), ["word/evil\x00name.xml"])


def docx_rels_escape() -> bytes:
    """The package relationships point the main part at ../../../etc/passwd."""
    rels = ROOT_RELS.replace(b'Target="word/document.xml"', b'Target="../../../../etc/passwd"')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", document_xml(report_body()))
    return buf.getvalue()


def zip_with_symlink(target: str = "/etc/passwd", name: str = "report.txt") -> bytes:
    """A zip holding a symlink member (Unix mode in external_attr) next to a real text report."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
    return buf.getvalue()


def tar_with_symlink(target: str = "/etc/passwd", name: str = "report.txt") -> bytes:
    """A tar holding a symlink member and a hard link outside the archive."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        tf.addfile(info)
        hard = tarfile.TarInfo("hard.txt")
        hard.type = tarfile.LNKTYPE
        hard.linkname = target
        tf.addfile(hard)
    return buf.getvalue()


def docx_nested_tables(depth: int = 50) -> bytes:
    """Tables nested `depth` levels inside one another's first cell."""
    inner = para(f"第{depth}层")
    for level in range(depth, 0, -1):
        inner = (f"<w:tbl><w:tr><w:tc>{para(f'层{level}')}{inner}<w:p/></w:tc>"
                 f"<w:tc>{para(str(level))}</w:tc></w:tr></w:tbl>")
    return make_docx(document_xml(report_body() + inner + para("完")))


def docx_big_table(rows: int = 10_000) -> bytes:
    """One table of `rows` rows of ten cells."""
    row = "<w:tr>" + "".join(f"<w:tc>{para(str(c))}</w:tc>" for c in range(10)) + "</w:tr>"
    return make_docx(document_xml(report_body() + "<w:tbl>" + row * rows + "</w:tbl>"))


def docx_missing_part(part: str) -> bytes:
    """A generated DOCX without one of its parts (document, rels, content types)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("word/document.xml", document_xml(report_body()))):
            if name != part:
                zf.writestr(name, data)
    return buf.getvalue()


def docx_encrypted_flag() -> bytes:
    """The general-purpose 'encrypted' bit set on every member."""
    data = bytearray(make_docx(document_xml(report_body())))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            data[pos + off] |= 1
            pos += 4
    return bytes(data)


# ------------------------------------------------------------------------------------------------ HTML

def html_page(body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>年度报告</title>{head}</head>'
            f"<body>{body}</body></html>").encode()


REPORT_HTML = ("<h1>某某县2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><table>"
               + "<tr><td>本年新收政府信息公开申请数量</td>" + "<td>1</td>" * 9 + "</tr></table>")


def html_nested_tables(depth: int = 200) -> bytes:
    return html_page(REPORT_HTML + "<table><tr><td>" * depth + "最深处" + "</td></tr></table>" * depth)


def html_deep_unclosed(depth: int = 100_000) -> bytes:
    """100,000 unclosed <font>s and <div>s: libxml2's depth limit and any recursive walk."""
    return html_page(REPORT_HTML + "<div><font>" * (depth // 2) + "正文" * 100)


def html_big_table(rows: int = 10_000) -> bytes:
    row = "<tr>" + "".join(f"<td>{c}</td>" for c in range(10)) + "</tr>"
    return html_page(REPORT_HTML + "<table>" + row * rows + "</table>")


def html_script(url: str = "http://127.0.0.1:9/") -> bytes:
    """Scripts that would write text, change the page or fetch something if they ever ran."""
    script = (f"<script>document.write('SCRIPT_RAN');fetch('{url}');</script>"
              "<script type=\"text/javascript\">var x='脚本文字不应出现';</script>")
    head = f'<meta http-equiv="refresh" content="0;url={url}refresh"><script src="{url}x.js"></script>'
    body = (script + REPORT_HTML + f'<img src="{url}img.png"><iframe src="{url}frame">框架</iframe>'
            f'<link rel="stylesheet" href="{url}s.css"><noscript>请启用脚本</noscript>'
            '<p onclick="alert(1)">正文段落</p><style>p{color:red}</style>')
    return html_page(body, head)


def html_xxe(url: str = "file:///etc/passwd") -> bytes:
    """An XML-declared page with an external entity (the HTML parser must not load it)."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "{url}">]>'
            f'<html><body><p>泄露：&xxe;</p>{REPORT_HTML}</body></html>').encode()


def binary_junk(size: int = 65536, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


# ------------------------------------------------------------------------------------------------- PDF

def pdf_from_objects(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF with objects numbered 1..n, a correct xref table and a trailer."""
    parts = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    pos = len(parts[0])
    for n, body in enumerate(objects, 1):
        chunk = b"%d 0 obj\n" % n + body + b"\nendobj\n"
        offsets.append(pos)
        parts.append(chunk)
        pos += len(chunk)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)]
    xref += [b"%010d 00000 n \n" % off for off in offsets]
    parts += xref
    parts.append(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
                 % (len(objects) + 1, root, trailer_extra, pos))
    return b"".join(parts)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _text_ops(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf 50 780 Td 14 TL"]
    ops += [b"(%s) '" % line.encode("latin-1", "replace").replace(b"(", b"").replace(b")", b"") for line in lines]
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf_pages(n_pages: int = 3, lines_per_page: int = 20) -> bytes:
    """A plain PDF of n pages of Helvetica text (1 catalog, 2 pages, 3 font, then page/content pairs)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", _FONT]
    kids = []
    for p in range(n_pages):
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(b"%d 0 R" % page_no)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % content_no)
        objects.append(_stream(_text_ops([f"Page {p + 1} line {i} annual report 2023" for i in range(lines_per_page)])))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), n_pages)
    return pdf_from_objects(objects)


def pdf_huge_stream(megabytes: int = 100) -> bytes:
    """A two-page PDF carrying a ~`megabytes` MB image XObject (uncompressed grey pixels) on page 1."""
    side = int((megabytes * 1024 * 1024) ** 0.5)
    pixels = bytes(range(256)) * (side * side // 256 + 1)
    image = _stream(pixels[: side * side], b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                    b"/ColorSpace /DeviceGray /BitsPerComponent 8 " % (side, side))
    content1 = _stream(b"q 500 0 0 500 40 200 cm /Im1 Do Q\n" + _text_ops(["Annual report with a huge image"]))
    content2 = _stream(_text_ops(["Second page"]))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>",
        _FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
        b"/XObject << /Im1 8 0 R >> >> /Contents 5 0 R >>",
        content1,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>",
        content2,
        image,
    ]
    return pdf_from_objects(objects)


def pdf_huge_content(megabytes: int = 20) -> bytes:
    """One page whose content stream is `megabytes` MB of drawing operators (lines: table finding bait)."""
    unit = b"0.5 w 10 10 m 500 10 l S\n"
    ops = unit * (megabytes * 1024 * 1024 // len(unit))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", _FONT,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
               b" /Contents 5 0 R >>",
               _stream(_text_ops(["Report"]) + b"\n" + ops)]
    return pdf_from_objects(objects)


def pdf_kids_self_loop() -> bytes:
    """The page tree root lists itself among its /Kids."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>", _FONT,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
               b" /Contents 5 0 R >>", _stream(_text_ops(["Loop page"]))]
    return pdf_from_objects(objects)


def pdf_parent_cycle() -> bytes:
    """Two /Pages nodes that are each other's parent and kid; the page's /Parent is itself."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [6 0 R 4 0 R] /Parent 6 0 R /Count 2 >>", _FONT,
               b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
               b" /Contents 5 0 R >>", _stream(_text_ops(["Cycle page"])),
               b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>"]
    return pdf_from_objects(objects)


def pdf_reference_loop() -> bytes:
    """An indirect object that is a reference to itself, used as /Contents and /Length."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", _FONT,
               b"<< /Type /Page /Parent 2 0 R /MediaBox 6 0 R /Resources << /Font << /F1 3 0 R >> >>"
               b" /Contents 5 0 R >>", b"<< /Length 7 0 R >>\nstream\nBT ET\nendstream", b"6 0 R", b"7 0 R"]
    return pdf_from_objects(objects)


def pdf_no_xref(data: bytes | None = None) -> bytes:
    """A PDF whose xref and trailer are gone (pdfminer must fall back to scanning)."""
    data = data or pdf_pages(2)
    return data[: data.rfind(b"xref")]


def pdf_encrypted_stub() -> bytes:
    """A trailer naming an /Encrypt dictionary with an unknown filter."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", _FONT,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>",
               _stream(b"BT ET"), b"<< /Filter /Bogus /V 9 /R 9 /O (x) /U (y) /P -4 >>"]
    return pdf_from_objects(objects, trailer_extra=b"/Encrypt 6 0 R /ID [<00> <00>] ")


# ------------------------------------------------------------------------------------------------ text

def text_big_table(rows: int = 10_000) -> bytes:
    head = "某某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n"
    row = "| 本年新收政府信息公开申请数量 | " + " | ".join(str(c) for c in range(9)) + " |\n"
    return (head + row * rows).encode()


def text_one_huge_line(megabytes: int = 20) -> bytes:
    return ("本年新收" + "1 " * (megabytes * 512 * 1024)).encode()


# name -> (suffix, generator): the fixed part of every fuzz run
SPECIALS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "zero_bytes": (".docx", lambda: b""),
    "zero_bytes_pdf": (".pdf", lambda: b""),
    "whitespace_only": (".txt", lambda: b" \n\t\r\n" * 100),
    "junk_named_html": (".html", lambda: binary_junk(65536, 1)),
    "junk_named_htm": (".htm", lambda: binary_junk(4096, 2)),
    "junk_named_txt": (".txt", lambda: binary_junk(4096, 3)),
    "junk_named_pdf": (".pdf", lambda: binary_junk(4096, 4)),
    "junk_named_docx": (".docx", lambda: binary_junk(4096, 5)),
    "junk_named_mht": (".mht", lambda: b"MIME-Version: 1.0\r\n\r\n" + binary_junk(4096, 6)),
    "pk_header_junk": (".docx", lambda: b"PK\x03\x04" + binary_junk(4096, 7)),
    "pdf_header_junk": (".pdf", lambda: b"%PDF-1.7\n" + binary_junk(4096, 8)),
    "ole_header_junk_docx": (".docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + binary_junk(4096, 9)),
    "rtf_header_junk": (".rtf", lambda: b"{\\rtf1 " + binary_junk(2048, 10)),
    "utf16_no_bom": (".txt", lambda: "本年新收政府信息公开申请数量 1 2 3\n".encode("utf-16-le") * 50),
    "billion_laughs": (".docx", docx_billion_laughs),
    "quadratic_blowup": (".docx", docx_quadratic_blowup),
    "xxe_file": (".docx", docx_external_entity),
    "xxe_styles": (".docx", lambda: docx_external_entity(part="word/styles.xml")),
    "external_dtd": (".docx", lambda: docx_external_dtd("http://127.0.0.1:9")),
    "zip_bomb_ratio": (".docx", docx_zip_bomb_ratio),
    "zip_bomb_size": (".docx", docx_zip_bomb_size),
    "zip_bomb_lying": (".docx", docx_zip_bomb_lying),
    "hostile_member_names": (".docx", docx_hostile_names),
    "rels_escape": (".docx", docx_rels_escape),
    "encrypted_flag": (".docx", docx_encrypted_flag),
    "no_document_xml": (".docx", lambda: docx_missing_part("word/document.xml")),
    "no_root_rels": (".docx", lambda: docx_missing_part("_rels/.rels")),
    "plain_zip": (".zip", lambda: zip_with_names(["a.txt", "b.txt"])),
    "zip_named_docx": (".docx", lambda: zip_with_names(["a.txt", "b/c.txt"])),
    "zip_symlink_docx": (".docx", zip_with_symlink),
    "docx_nested_50": (".docx", docx_nested_tables),
    "docx_nested_500": (".docx", lambda: docx_nested_tables(500)),
    "docx_10k_rows": (".docx", docx_big_table),
    "html_nested_200": (".html", html_nested_tables),
    "html_nested_2000": (".html", lambda: html_nested_tables(2000)),
    "html_deep_unclosed": (".html", html_deep_unclosed),
    "html_10k_rows": (".html", html_big_table),
    "html_script_refresh": (".html", html_script),
    "html_xxe": (".html", html_xxe),
    "text_10k_rows": (".txt", text_big_table),
    "text_huge_line": (".txt", text_one_huge_line),
    "pdf_100mb_stream": (".pdf", pdf_huge_stream),
    "pdf_2000_pages": (".pdf", lambda: pdf_pages(2000, 5)),
    "pdf_huge_content": (".pdf", pdf_huge_content),
    "pdf_kids_loop": (".pdf", pdf_kids_self_loop),
    "pdf_parent_cycle": (".pdf", pdf_parent_cycle),
    "pdf_reference_loop": (".pdf", pdf_reference_loop),
    "pdf_no_xref": (".pdf", pdf_no_xref),
    "pdf_encrypted_stub": (".pdf", pdf_encrypted_stub),
}
