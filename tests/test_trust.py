"""`nianbao convert` never loses, overwrites or silently skips an input, and never takes the machine (issue 13)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "txt"
SEED = SAMPLES / "004_3cdf18e5691f1457.txt"
OTHER = SAMPLES / "tsv_2021_huashu.txt"
NIANBAO = Path(sys.executable).with_name("nianbao")
MEMORY = 1 << 30  # address space for a subprocess: a regression fails the test, not the machine
runner = CliRunner()


def _agency(report: Path) -> str:
    return json.loads(report.read_text(encoding="utf-8"))["report"]["agency"]


def _nianbao(*args: str, stdin: object = None) -> subprocess.CompletedProcess:
    """`nianbao ARGS` in a subprocess with bounded memory (a hang is caught by pytest's own limit below)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run([str(NIANBAO), *args], capture_output=True, text=True, stdin=stdin, timeout=120,
                          preexec_fn=limit)


# ---- item 3: one report per input, never one over another
def test_same_named_inputs_get_distinct_reports(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    a.write_bytes(SEED.read_bytes())
    b.write_bytes(OTHER.read_bytes())
    out = tmp_path / "o"
    result = runner.invoke(app, ["convert", str(a), str(b), str(tmp_path / "a" / ".." / "a" / "report.txt"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(out.iterdir())
    assert len(written) == 2 and all(p.name.startswith("report.txt.") and p.suffix == ".json" for p in written)
    agencies = {_agency(p) for p in written}
    assert agencies == {_agency_of(SEED, tmp_path), _agency_of(OTHER, tmp_path)}
    # the names do not depend on the order of the arguments
    again = tmp_path / "o2"
    assert runner.invoke(app, ["convert", str(b), str(a), "-o", str(again)]).exit_code == 0
    assert sorted(p.name for p in again.iterdir()) == [p.name for p in written]


def _agency_of(source: Path, tmp_path: Path) -> str:
    out = tmp_path / f"single-{source.name}"
    assert runner.invoke(app, ["convert", str(source), "-o", str(out)]).exit_code == 0
    return _agency(out / f"{source.name}.json")


def test_directories_keep_their_structure_and_a_lone_file_its_plain_name(tmp_path: Path) -> None:
    for sub in ("x", "y"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "report.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "o"
    assert runner.invoke(app, ["convert", str(tmp_path / "in"), "-o", str(out)]).exit_code == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.json")) == ["x/report.txt.json", "y/report.txt.json"]


def test_a_name_too_long_for_json_appended_is_shortened_with_a_hash(tmp_path: Path) -> None:
    name = "报" * 80 + "x" * 9 + ".txt"  # 253 bytes
    assert len(name.encode()) == 253
    (tmp_path / name).write_bytes(SEED.read_bytes())
    out = tmp_path / "o"
    result = runner.invoke(app, ["convert", str(tmp_path / name), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [written] = list(out.iterdir())
    assert len(written.name.encode()) <= 255 and written.name.endswith(".json") and written.name.startswith("报" * 80)
    assert _agency(written) == "绥滨县北山乡人民政府"


# ---- item 4: any input is read at most --max-size + 1 bytes, within --timeout
def test_an_endless_device_is_refused_at_max_size() -> None:
    result = _nianbao("convert", "/dev/zero", "--stdout", "--max-size", "1MB")
    assert result.returncode == 1
    assert result.stderr.strip() == ("/dev/zero: more than 1,048,576 bytes, over the 1,048,576-byte limit "
                                     "(raise it with --max-size)")


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_an_endless_pipe_on_standard_input_is_refused_at_max_size(name: str) -> None:
    writer = subprocess.Popen([sys.executable, "-c", "import sys\nwhile True: sys.stdout.buffer.write(b'1' * 65536)"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        result = _nianbao("convert", name, "--stdout", "--max-size", "2MB", stdin=writer.stdout)
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 1
    assert result.stderr.strip() == f"{name}: more than 2,097,152 bytes, over the 2,097,152-byte limit " \
                                    "(raise it with --max-size)"


def test_reading_a_silent_pipe_is_inside_the_time_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    holder: list = []
    opener = threading.Thread(target=lambda: holder.append(open(fifo, "wb")))  # noqa: SIM115 - a writer that never writes
    opener.start()
    try:
        result = _nianbao("convert", str(fifo), "--stdout", "--timeout", "1")
    finally:
        opener.join()
        holder[0].close()
    assert result.returncode == 1
    assert result.stderr.strip() == f"{fifo}: did not finish within 1 s (raise it with --timeout)"


def test_standard_input_converts_to_stdin_json(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with SEED.open("rb") as stream:
        result = _nianbao("convert", "-", "-o", str(out), stdin=stream)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["stdin.json"]
    assert _agency(out / "stdin.json") == "绥滨县北山乡人民政府"
    with SEED.open("rb") as stream:
        printed = _nianbao("convert", "-", "--stdout", stdin=stream)
    assert json.loads(printed.stdout)["report"]["agency"] == "绥滨县北山乡人民政府"


# ---- item 7: every file in a directory is sniffed; what is not a document is counted, never dropped
def test_files_without_a_document_suffix_are_sniffed_and_non_documents_reported(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    for name in ("content", "index.do", "download.aspx", "noext"):
        (folder / name).write_bytes(SEED.read_bytes())
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (folder / "bundle.zip").write_bytes(b"PK\x03\x04" + bytes(64))
    os.mkfifo(folder / "pipe")  # never opened: a walk reads regular files only, and says so
    out = tmp_path / "o"
    result = runner.invoke(app, ["convert", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["content.json", "download.aspx.json", "index.do.json",
                                                     "noext.json"]
    assert f"3 files are not documents: {folder / 'bundle.zip'} (a zip file), {folder / 'logo.png'} " \
           f"(a picture (name it to read it by OCR)), {folder / 'pipe'} (not a regular file)" in result.stderr
    assert "4 reports written to" in result.stdout


# ---- item 9 and 10: one line on an unwritable output; say what was written; a status column
def test_convert_says_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = runner.invoke(app, ["convert", str(SEED), "-o", str(out)])
    assert result.stdout.splitlines() == [f"{SEED} -> {out / (SEED.name + '.json')}", f"1 report written to {out}"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_extract_to_an_unwritable_path_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = runner.invoke(app, ["extract", str(SEED), "-o", str(locked / "x.json")])
    assert result.exit_code == 1 and result.stderr.startswith(f"{locked / 'x.json'}: cannot write")


def test_extract_to_a_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for command in (["extract", str(SEED)], ["convert", str(SEED)]):
        result = runner.invoke(app, [*command, "-o", str(blocker / "sub" / "x.json")])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert len(result.stderr.strip().splitlines()) == 1 and "cannot write" in result.stderr


def test_summary_puts_the_status_in_its_own_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("没有表格。\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(bad), str(SEED), "-o", str(tmp_path / "o"), "--summary"])
    header = next(line for line in result.stdout.splitlines() if "file" in line and "template" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][:3] == ["file", "status", "template"]
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in result.stdout.splitlines() if "│" in line]
    assert [row[1:3] for row in rows if row[1]] == [["failed", ""], ["ok", "2021"]]
    assert next(row for row in rows if row[1] == "failed")[-1].startswith("not an annual report")


def test_the_python_api_names_the_path_of_a_failure(tmp_path: Path) -> None:
    from pipeline import convert
    from pipeline.errors import ExtractionError

    missing = tmp_path / "nope.pdf"
    with pytest.raises(ExtractionError) as caught:
        convert(missing)
    assert caught.value.path == str(missing) and f"file: {missing}" in caught.value.__notes__
    assert convert(SEED).model_dump()["report"]["agency"] == "绥滨县北山乡人民政府"
