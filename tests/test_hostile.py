"""Hostile inputs: entity attacks, external references, zip bombs, hostile names, scripts, deep nesting.

Each input comes from tests/fuzz/generators.py and goes through `nianbao convert` in its own process
(tests/fuzz/runner.py), so what is asserted is what a user sees: a report or one `path: reason` line,
never a traceback or a hang, and never a file read or a URL fetched on the document's behalf.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz import generators as gen
from tests.fuzz.runner import Result, run_case

SECRET = "NIANBAO-SECRET-7d41c9"
MAX_RSS_KB = 600 * 1024  # far above a normal conversion (~60 MB), far below what an expanded bomb takes


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY leak 'FETCHED'>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server and the paths it was asked for: any request is a leak."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", hits
    httpd.shutdown()


def convert(tmp_path: Path, name: str, data: bytes, timeout: float = 60.0) -> tuple[Result, str]:
    """Run `nianbao convert` on the bytes; the outcome and everything it wrote, as one string."""
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / f"out-{name}"
    result = run_case(path, out, timeout=timeout)
    written = "".join(p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file())
    assert result.outcome in ("report", "error"), f"{name}: {result.outcome}: {result.detail}"
    return result, written


def test_entity_expansion_is_refused_without_expanding(tmp_path: Path) -> None:
    for name, data in (("laughs.docx", gen.docx_billion_laughs()), ("quadratic.docx", gen.docx_quadratic_blowup())):
        result, _ = convert(tmp_path, name, data)
        assert result.outcome == "error" and "amplification" in result.detail, (name, result.detail)
        assert result.peak_rss_kb < MAX_RSS_KB, (name, result.peak_rss_kb)


def test_external_entities_are_never_resolved(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    url, hits = server
    cases = {
        "xxe.docx": gen.docx_external_entity(secret.as_uri()),
        "xxe_styles.docx": gen.docx_external_entity(secret.as_uri(), part="word/styles.xml"),
        "xxe_http.docx": gen.docx_external_entity(url + "entity"),
        "dtd.docx": gen.docx_external_dtd(url.rstrip("/")),
        "xxe.html": gen.html_xxe(secret.as_uri()),
        "xxe_http.html": gen.html_xxe(url + "entity"),
    }
    for name, data in cases.items():
        result, written = convert(tmp_path, name, data)
        assert SECRET not in written and "FETCHED" not in written, name
        assert SECRET not in result.detail, name
    assert hits == []


def test_html_scripts_never_run_and_nothing_is_fetched(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, hits = server
    result, written = convert(tmp_path, "script.html", gen.html_script(url))
    assert result.outcome == "report"
    report = json.loads(written)
    text = json.dumps(report, ensure_ascii=False)
    assert "SCRIPT_RAN" not in text and "脚本文字不应出现" not in text and "alert(" not in text
    assert report["applications"]["new_received"]["total"] is not None  # the report itself was read
    assert hits == []  # no script, image, frame, stylesheet or meta refresh was followed


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_fetches_no_linked_content(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, hits = server
    rtf = ("{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 text\\par"
           f'{{\\field{{\\*\\fldinst INCLUDEPICTURE "{url}pic.png" \\\\d}}{{\\fldrslt}}}}\\par'
           f'{{\\field{{\\*\\fldinst INCLUDETEXT "{url}inc.txt"}}{{\\fldrslt inc}}}}\\par'
           f'{{\\field{{\\*\\fldinst HYPERLINK "{url}link"}}{{\\fldrslt link}}}}\\par}}')
    result, _ = convert(tmp_path, "links.rtf", rtf.encode())
    assert result.outcome == "error" and "not an annual report" in result.detail
    assert hits == []


@pytest.mark.parametrize(("maker", "words"), [
    (lambda: gen.docx_zip_bomb_ratio(20), "zip bomb"),   # under the size limit: caught by the ratio
    (lambda: gen.docx_zip_bomb_size(300), "zip bomb"),
    (gen.docx_zip_bomb_lying, "crc"),                    # declares 2 KB: reading stops there
], ids=["ratio", "size", "lying"])
def test_zip_bombs_are_refused_before_inflating(tmp_path: Path, maker, words: str) -> None:
    result, _ = convert(tmp_path, "bomb.docx", maker())
    assert result.outcome == "error" and words in result.detail.lower(), result.detail
    assert result.peak_rss_kb < MAX_RSS_KB


def test_hostile_member_names_and_symlinks_write_and_read_nothing_outside(tmp_path: Path) -> None:
    case_dir = tmp_path / "a" / "b"
    case_dir.mkdir(parents=True)
    before = {p for p in tmp_path.rglob("*")}
    for name, data in (("names.docx", gen.docx_hostile_names()), ("rels.docx", gen.docx_rels_escape()),
                       ("link.docx", gen.zip_with_symlink(str(tmp_path / "secret.txt")))):
        (tmp_path / "secret.txt").write_text(SECRET)
        result, written = convert(case_dir, name, data)
        assert SECRET not in written and SECRET not in result.detail
    after = {p for p in tmp_path.rglob("*")}
    outside = {p for p in after - before if case_dir not in p.parents and p != tmp_path / "secret.txt"}
    assert outside == set()


@pytest.mark.parametrize("name", ["docx_nested_500", "html_nested_2000", "html_deep_unclosed", "text_huge_line",
                                  "docx_10k_rows", "html_10k_rows", "text_10k_rows"])
def test_deep_and_huge_structures_end_in_a_report_or_a_reason(tmp_path: Path, name: str) -> None:
    suffix, make = gen.SPECIALS[name]
    result, _ = convert(tmp_path, name + suffix, make())
    assert result.peak_rss_kb < MAX_RSS_KB, result.peak_rss_kb
