"""The command line: outputs, exit codes, one-line errors, schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.schemas import SCHEMA_DIR, json_schema

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "txt"
SEED = SAMPLES / "004_3cdf18e5691f1457.txt"
runner = CliRunner()


def test_convert_writes_one_json_per_input_named_after_it(tmp_path: Path) -> None:
    other = SAMPLES / "tsv_2021_huashu.txt"
    result = runner.invoke(app, ["convert", str(SEED), str(other), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert written == ["004_3cdf18e5691f1457.txt.json", "tsv_2021_huashu.txt.json"]
    report = json.loads((tmp_path / "o" / "004_3cdf18e5691f1457.txt.json").read_text(encoding="utf-8"))
    assert report["schema"] == "nianbao.report/1"
    assert report["report"]["agency"] == "绥滨县北山乡人民政府"


def test_stdout_prints_the_report() -> None:
    result = runner.invoke(app, ["convert", str(SEED), "--stdout"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["report"]["published"] == "2024-01-09"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (bytes(range(256)) * 8, "binary file"),
    ("这是一则新闻：今天天气很好。\n没有任何表格。\n".encode(), "not an annual report table set"),
])
def test_bad_inputs_fail_with_one_line_and_exit_1(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = runner.invoke(app, ["convert", str(bad), str(SEED), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: ") and reason in lines[0]
    assert "Traceback" not in result.output
    assert (tmp_path / "o" / "004_3cdf18e5691f1457.txt.json").exists()  # the good file still converted


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(tmp_path / "nope.docx"), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_extract_then_normalise_equals_convert(tmp_path: Path) -> None:
    inter = tmp_path / "x.intermediate.json"
    assert runner.invoke(app, ["extract", str(SEED), "-o", str(inter)]).exit_code == 0
    result = runner.invoke(app, ["normalise", str(inter)])
    assert result.exit_code == 0
    direct = runner.invoke(app, ["convert", str(SEED), "--stdout"])
    assert json.loads(result.stdout) == json.loads(direct.stdout)


def test_normalise_rejects_a_file_that_is_not_intermediate(tmp_path: Path) -> None:
    bogus = tmp_path / "b.json"
    bogus.write_text('{"hello": 1}')
    result = runner.invoke(app, ["normalise", str(bogus)])
    assert result.exit_code == 1 and "not an intermediate JSON" in result.stderr


@pytest.mark.parametrize("which", ["report", "intermediate"])
def test_schema_command_prints_the_committed_schema(which: str) -> None:
    result = runner.invoke(app, ["schema", which])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    committed = json.loads((SCHEMA_DIR / f"{which}.schema.json").read_text(encoding="utf-8"))
    assert printed == committed == json_schema(which), "run `python -m pipeline.schemas` after changing a model"


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from pipeline.cli import app; "
            "heavy = [m for m in ('docx', 'pdfplumber', 'bs4', 'lxml', 'pdfminer') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_directory_input_converts_recursively(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(SAMPLES), "-o", str(tmp_path / "o"), "--summary"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "o").glob("*.json"))) == len(list(SAMPLES.glob("*.truth.json")))
