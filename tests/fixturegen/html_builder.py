"""HTML fixtures the way reports reach us from the web, with the truth of a ReportSpec.

- `portal_page`: a whole saved portal page — header, nav, breadcrumb, a layout table with a link menu,
  an 索引号 metadata table, share/print bars, related links, a footer link table, scripts, a hidden
  block — around the report in a content container (TRS_Editor, #zoom, #UCAP-CONTENT or an unnamed
  div). Cells carry editor noise: text split over <span>/<font> runs, &nbsp; padding, <br> in
  headers, <p>&nbsp;</p> for blanks, optionally unclosed <td>/<tr> and a nested layout table.
- `thead_page`: an HTML5 article with <thead>/<th> tables.
- `word_html`: Microsoft Word's "Save as Web Page" (mso- styles, <o:p>, conditional comments,
  list numbers inside <![if !supportLists]>, the supportMisalignedColumns helper row).
- `libreoffice_html`: a python-docx DOCX of the spec converted by `soffice --convert-to html`.
- `mhtml`: any page wrapped as a browser's .mht archive (quoted-printable or base64).
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import quopri
import random
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from extractors.grid import RawCell
from tests.fixturegen import ReportSpec

SITE = "临江市人民政府"
NBSP = "&nbsp;"
FONTS = ("仿宋_GB2312", "宋体", "Times New Roman", "楷体_GB2312")


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _runs(text: str, rnd: random.Random) -> str:
    """Text split over two or three styled runs, the way editors leave it after a font change."""
    if len(text) < 3 or rnd.random() < 0.4:
        return _esc(text)
    cuts = sorted(rnd.sample(range(1, len(text)), min(2, len(text) - 1)))
    pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    out = []
    for piece in pieces:
        font = rnd.choice(FONTS)
        size = rnd.choice(("9pt", "10.5pt", "12pt"))
        out.append(f'<span style="font-family:{font};font-size:{size}">{_esc(piece)}</span>' if rnd.random() < 0.7
                   else f'<font face="{font}">{_esc(piece)}</font>')
    return "".join(out)


def _is_number(text: str) -> bool:
    return bool(text) and text.lstrip("-").replace(".", "", 1).replace("元", "").isdigit()


def _cell_inner(text: str, rnd: random.Random, header: bool) -> str:
    """A cell's content with editor noise that must not change its text."""
    if not text:
        return rnd.choice(("<p>&nbsp;</p>", "", NBSP, "<p><span>\u3000</span></p>"))
    if _is_number(text):
        pad = rnd.choice(("", NBSP, NBSP * 2, "\u3000"))
        return f'<p align="center">{pad}{_esc(text)}{rnd.choice(("", NBSP))}</p>'
    if header and 4 <= len(text) <= 8 and rnd.random() < 0.5:
        half = len(text) // 2
        return f'<p align="center">{_runs(text[:half], rnd)}<br/>{_runs(text[half:], rnd)}</p>'
    return f"<p>{_runs(text, rnd)}</p>"


def table_html(rows: list[list[RawCell]], rnd: random.Random, thead_rows: int = 0, unclosed: bool = False,
               attrs: str = 'border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%"') -> str:
    """One report table; the first `thead_rows` rows go in <thead> as <th>, blanks as &nbsp; paragraphs."""
    out = [f"<table {attrs}>"]
    body_open = False
    for r, row in enumerate(rows):
        if thead_rows and r == 0:
            out.append("<thead>")
        if r == thead_rows and (thead_rows or rnd.random() < 0.5):
            if thead_rows:
                out.append("</thead>")
            out.append("<tbody>")
            body_open = True
        tag = "th" if r < thead_rows else "td"
        out.append("<tr>")
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            inner = _cell_inner(cell.text, rnd, header=not _is_number(cell.text))
            out.append(f"<{tag}{span} valign=\"middle\">{inner}" + ("" if unclosed else f"</{tag}>"))
        out.append("" if unclosed else "</tr>")
    if body_open:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _report_body(spec: ReportSpec, rnd: random.Random, thead: bool = False, unclosed: bool = False,
                 h_tags: bool = False) -> str:
    """The report's blocks as portal-editor HTML."""
    out = []
    first = True
    for block in spec.blocks:
        if isinstance(block, tuple):
            text = block[1]
            if first:
                out.append(f'<p style="text-align:center;"><strong><span style="font-size:22px;">{_runs(text, rnd)}'
                           "</span></strong></p>")
                first = False
            elif h_tags:
                out.append(f"<h3>{_esc(text)}</h3>")
            else:
                out.append(f'<p style="text-indent:2em;"><strong>{_runs(text, rnd)}</strong></p>')
        elif isinstance(block, list):
            first_row = [c.text for c in block[0]] if block else []
            n_head = 3 if ("申请人情况" in first_row or "行政复议" in first_row) else 2
            out.append(table_html(block, rnd, thead_rows=n_head if thead else 0, unclosed=unclosed))
        elif block == spec.agency or (block.endswith("日") and block[:4].isdigit()):
            out.append(f'<p style="text-align:right;">{_esc(block)}</p>')
        else:
            out.append(f'<p style="text-indent:2em;">\u3000\u3000{_runs(block, rnd)}</p>')
    return "\n".join(out)


def _links(n: int, rnd: random.Random, words: tuple[str, ...]) -> str:
    return "".join(f'<li><a href="/c/{rnd.randint(100, 999)}.html">{rnd.choice(words)}{i + 1}</a></li>'
                   for i in range(n))


def portal_page(spec: ReportSpec, seed: int = 0, charset: str = "utf-8", container: str = "TRS_Editor",
                unclosed: bool = False, nested: bool = False, extra_paragraph: str = "") -> str:
    """A whole saved portal page around the report (as text: encode it with the declared charset)."""
    rnd = random.Random(seed)
    menu = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开", "机构概况")
    body = _report_body(spec, rnd, unclosed=unclosed)
    if extra_paragraph:
        body = body.replace("</p>", f"</p>\n<p>{_esc(extra_paragraph)}</p>", 1)
    if nested:  # the editor's own 1x1 layout table around the whole report
        body = f'<table width="100%" border="0"><tr><td class="bt_content">{body}</td></tr></table>'
    opener = {"TRS_Editor": '<div class="TRS_Editor">', "zoom": '<div id="zoom" class="zoom">',
              "UCAP-CONTENT": '<div id="UCAP-CONTENT">', "plain": f'<div class="c{rnd.randint(1000, 9999)}">'}[container]
    if charset.lower() == "utf-8":
        decl = '<meta charset="utf-8">'
    else:
        decl = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />'
    published = f"{spec.published} 10:{rnd.randint(10, 59)}"
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{decl}
<title>{_esc(spec.title)}_{SITE}</title>
<meta name="SiteName" content="{SITE}" />
<meta name="ColumnName" content="政府信息公开年报" />
<meta name="ArticleTitle" content="{_esc(spec.title)}" />
<meta name="PubDate" content="{published}" />
<meta name="ContentSource" content="{_esc(spec.agency)}" />
<style type="text/css">body{{font-size:14px}} .hide{{display:none}}</style>
<script type="text/javascript">var menu = {[m for m in menu]}; var site = "{SITE}政府门户网站：欢迎访问本网站，本网站提供政务公开信息服务";</script>
</head>
<body>
<div class="topbar"><span>欢迎访问{SITE}门户网站</span><a href="#">无障碍浏览</a> | <a href="#">长者模式</a> | <a href="#">登录</a></div>
<div class="header"><div class="logo"><a href="/">{SITE}</a></div>
<form action="/search"><input type="text" name="q" value="请输入关键字" /><select><option>全站搜索</option></select><button>搜索</button></form></div>
<div class="nav"><ul>{_links(8, rnd, ("首页", "政务公开", "政务服务", "互动交流", "走进临江"))}</ul></div>
<div style="display:none" class="stat">统计代码：本页访问量 2019年 共计 12345 次，隐藏区块不应出现</div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="layout">
<tr><td colspan="2" class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/xxgk/nb/">政府信息公开年报</a></td></tr>
<tr>
<td width="220" valign="top"><table width="100%" class="leftmenu">{"".join(f'<tr><td><a href="/x/{i}/">{m}</a></td></tr>' for i, m in enumerate(menu))}</table></td>
<td valign="top" class="content">
<table width="100%" class="xxgk_table">
<tr><td>索&nbsp;引&nbsp;号：</td><td>11{rnd.randint(10**8, 10**9)}/{spec.year + 1}-{rnd.randint(10000, 99999)}</td><td>主题分类：</td><td>综合政务</td></tr>
<tr><td>发布机构：</td><td>{_esc(spec.agency)}</td><td>发文日期：</td><td>{spec.published}</td></tr>
<tr><td>名&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td colspan="3">{_esc(spec.title)}</td></tr>
</table>
<h1 class="title">{_esc(spec.title)}</h1>
<div class="info">发布时间：{published}&nbsp;&nbsp;来源：{_esc(spec.agency)}&nbsp;&nbsp;浏览次数：<span id="hits">356</span>&nbsp;&nbsp;字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</div>
{opener}
{body}
</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="xgxx"><h4>相关信息</h4><ul>{_links(5, rnd, ("关于2022年度政府信息公开工作年度报告的说明", "政府信息公开指南（2023年版）", "2021年政府信息公开工作年度报告"))}</ul></div>
</td></tr></table>
<div class="footer">
<table class="flinks" width="100%"><tr>{"".join(f'<td><a href="http://www.gov{i}.cn">{w}</a></td>' for i, w in enumerate(("中国政府网", "省政府", "市人大", "市政协", "市纪委")))}</tr></table>
<p>主办：{SITE}办公室&nbsp;&nbsp;承办：临江市大数据中心&nbsp;&nbsp;网站标识码：1234000012</p>
<p>地址：临江市人民大道1号&nbsp;&nbsp;邮编：130000&nbsp;&nbsp;联系电话：0431-12345678&nbsp;&nbsp;ICP备案号：吉ICP备05001234号</p>
</div>
<script type="text/javascript">document.getElementById("hits").innerHTML = "访问次数356，欢迎再次访问本站";</script>
</body>
</html>
"""


def thead_page(spec: ReportSpec, seed: int = 0) -> str:
    """An HTML5 article page: <header>/<nav>/<footer>, h3 headings, tables with <thead>/<th>."""
    rnd = random.Random(seed)
    body = _report_body(spec, rnd, thead=True, h_tags=True)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(spec.title)}</title></head>
<body>
<header class="site-header"><nav class="navbar"><a class="brand" href="/">{SITE}</a><ul>{_links(6, rnd, ("首页", "政务公开", "政务服务"))}</ul></nav></header>
<main class="container">
<nav aria-label="breadcrumb"><ol class="breadcrumb"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li>政府信息公开年报</li></ol></nav>
<article class="article">
<div class="article-meta"><span>发布日期：{spec.published}</span><span>来源：{_esc(spec.agency)}</span></div>
<div class="article-content">
{body}
</div>
</article>
<aside class="related"><h4>相关阅读</h4><ul>{_links(4, rnd, ("政府信息公开工作年度报告",))}</ul></aside>
</main>
<footer class="site-footer"><p>版权所有：{SITE}　技术支持：某某科技有限公司</p></footer>
</body></html>
"""


# ----- Microsoft Word "Save as Web Page" ------------------------------------------------------------

def _w_par(text: str, rnd: random.Random, align: str = "", bold: bool = False, size: str = "16.0pt") -> str:
    style = f"text-align:{align}" if align else "text-indent:32.0pt;mso-char-indent-count:2.0"
    runs = []
    # Word splits runs at every change of script: digits and Latin get lang=EN-US runs
    chunk, kind = "", None
    for ch in text:
        k = ch.isascii()
        if kind is not None and k != kind:
            runs.append((chunk, kind))
            chunk = ""
        chunk, kind = chunk + ch, k
    if chunk:
        runs.append((chunk, kind))
    spans = "".join(
        f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\",serif'>{_esc(c)}</span>" if ascii_
        else f"<span style='font-size:{size};font-family:{rnd.choice(FONTS[:2])};mso-ascii-font-family:\"Times New Roman\"'>{_esc(c)}</span>"
        for c, ascii_ in runs)
    if bold:
        spans = f"<b>{spans}</b>"
    return f"<p class=MsoNormal align={align or 'left'} style='{style}'>{spans}<span lang=EN-US><o:p></o:p></span></p>"


def _w_table(rows: list[list[RawCell]], rnd: random.Random) -> str:
    out = ["<div align=center>",
           "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
           "border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    n_cols = 0
    for r, row in enumerate(rows):
        out.append(f"<tr style='mso-yfti-irow:{r}'>")
        for cell in row:
            span = (f" rowspan={cell.rowspan}" if cell.rowspan > 1 else "") + (f" colspan={cell.colspan}" if cell.colspan > 1 else "")
            text = cell.text
            inner = (f"<span lang=EN-US style='font-size:10.5pt'>{_esc(text)}</span>" if text
                     else "<span lang=EN-US style='font-size:10.5pt'><o:p>&nbsp;</o:p></span>")
            out.append(f" <td width=60{span} valign=center style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;"
                       f"padding:0cm 5.4pt 0cm 5.4pt'>\n  <p class=MsoNormal align=center style='text-align:center'>{inner}"
                       "<span lang=EN-US><o:p></o:p></span></p>\n </td>")
        out.append("</tr>")
        n_cols = max(n_cols, sum(c.colspan for c in row))
    out.append("<![if !supportMisalignedColumns]>\n<tr height=0>" + "<td width=60 style='border:none'></td>" * n_cols
               + "</tr>\n<![endif]>")
    out.append("</table></div>")
    return "\n".join(out)


def word_html(spec: ReportSpec, seed: int = 0) -> str:
    """What Word writes for "Save as Web Page, Filtered" off: declare gb2312, encode as GBK."""
    rnd = random.Random(seed)
    parts = []
    first = True
    for block in spec.blocks:
        if isinstance(block, tuple):
            text = block[1]
            if first:
                parts.append(_w_par(text, rnd, align="center", bold=True, size="22.0pt"))
                first = False
            elif text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、"):
                # an auto-numbered heading: the number lives in a downlevel-revealed conditional
                parts.append(f"<p class=MsoListParagraph style='margin-left:0cm;text-indent:32.0pt;mso-list:l0 level1 lfo1'>"
                             f"<![if !supportLists]><span style='font-family:黑体'><span style='mso-list:Ignore'>{text[:2]}"
                             f"<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp; </span></span></span>"
                             f"<![endif]><span style='font-family:黑体'>{_esc(text[2:])}<o:p></o:p></span></p>")
            else:
                parts.append(_w_par(text, rnd, bold=True))
        elif isinstance(block, list):
            parts.append(_w_table(block, rnd))
        elif block == spec.agency or (block.endswith("日") and block[:4].isdigit()):
            parts.append(_w_par(block, rnd, align="right"))
        else:
            parts.append(_w_par(block, rnd))
    hidden = "<p class=MsoNormal><span style='display:none;mso-hide:all'>隐藏文字：2099年测试<o:p></o:p></span></p>"
    return f"""<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{_esc(spec.title)}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>{_esc(spec.agency)}</o:Author>
  <o:Created>{spec.published}T08:00:00Z</o:Created>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;mso-style-qformat:yes;margin:0cm;text-align:justify;text-justify:inter-ideograph;
	font-size:10.5pt;font-family:"Times New Roman",serif;mso-fareast-font-family:宋体;}}
@page WordSection1 {{size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;}}
div.WordSection1 {{page:WordSection1;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 table.MsoNormalTable {{mso-style-name:普通表格;}}
</style>
<![endif]-->
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>

{chr(10).join(parts)}
{hidden}
</div>

</body>

</html>
"""


# ----- LibreOffice --------------------------------------------------------------------------------

def soffice() -> str | None:
    return os.environ.get("NIANBAO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_html(spec: ReportSpec, timeout: float = 120) -> bytes:
    """`soffice --headless --convert-to html` of a python-docx DOCX of the spec, in a private profile."""
    from tests.fixturegen.docx_builder import build_docx

    binary = soffice()
    if binary is None:
        raise FileNotFoundError("soffice not installed")
    with tempfile.TemporaryDirectory(prefix="nianbao-html-lo-") as tmp:
        root = Path(tmp)
        src = root / "report.docx"
        build_docx(spec, path=src)
        profile = Path(f"/tmp/lo_{uuid.uuid4().hex}")
        try:
            cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
                   "--nolockcheck", "--convert-to", "html", "--outdir", str(root), str(src)]
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True,
                                    env={**os.environ, "HOME": str(root), "SAL_USE_VCLPLUGIN": "svp"})
            try:
                proc.wait(timeout=timeout)
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin stragglers of our own group
            out = root / "report.html"
            if not out.is_file():
                raise RuntimeError("soffice produced no HTML")
            return out.read_bytes()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


# ----- MHTML --------------------------------------------------------------------------------------

def mhtml(page: bytes, charset: str | None = None, encoding: str = "quoted-printable",
          url: str = "http://www.linjiang.gov.cn/xxgk/nb/t20240110_1.html", subject: str = "") -> bytes:
    """A browser's web archive of the page: Chrome style (quoted-printable, charset in the page) or IE
    style (base64 with the charset on the part), plus a stylesheet part and a start parameter."""
    boundary = "----MultipartBoundary--" + uuid.uuid4().hex[:24] + "----"
    if encoding == "base64":
        body = base64.encodebytes(page).decode("ascii")
    else:
        body = quopri.encodestring(page).decode("ascii")
    ctype = f'text/html; charset="{charset}"' if charset else "text/html"
    subj = "=?utf-8?B?" + base64.b64encode(subject.encode()).decode() + "?=" if subject else "saved page"
    css = ".x{color:red}"
    return (f"From: <Saved by Blink>\r\nSnapshot-Content-Location: {url}\r\nSubject: {subj}\r\n"
            f"Date: Wed, 10 Jan 2024 09:12:00 +0800\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tstart="<page@mhtml.blink>";\r\n'
            f'\tboundary="{boundary}"\r\n\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/css\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            f"Content-Location: http://www.linjiang.gov.cn/css/style.css\r\n\r\n{css}\r\n"
            f"--{boundary}\r\nContent-Type: {ctype}\r\nContent-ID: <page@mhtml.blink>\r\n"
            f"Content-Transfer-Encoding: {encoding}\r\nContent-Location: {url}\r\n\r\n"
            f"{body.replace(chr(10), chr(13) + chr(10))}\r\n--{boundary}--\r\n").encode("ascii")
