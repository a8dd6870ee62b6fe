"""The plain-text extractor: encodings, layouts, and the real text renderings in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract
from pipeline import convert
from pipeline.errors import NianbaoError
from tests.fixturegen import make_report
from tests.fixturegen.text_render import LAYOUTS, render_text
from tests.helpers import field_mismatches, flatten

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_every_layout_every_field(tmp_path: Path, layout: str, template: str) -> None:
    spec = make_report(template, seed=len(layout) * 7 + int(template), agency="镕堃喆镇人民政府")
    path = tmp_path / f"r.{layout}.txt"
    path.write_text(render_text(spec, layout), encoding="utf-8")
    report = convert(path)
    assert field_mismatches(spec.values, report.model_dump()) == {}
    assert (report.report.template, report.report.year, report.report.agency) == (template, spec.year, spec.agency)


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_run_together_cells_are_cut_exactly_or_left_null(tmp_path: Path, template: str) -> None:
    """A crawler's text with every cell glued to the next: a value is the true one or null, never wrong.

    Distinct multi-digit values make many runs ambiguous; each null must carry the issue that says so.
    """
    exact = tables = 0
    for seed in range(4):
        spec = make_report(template, seed=seed)
        path = tmp_path / f"crawler{seed}.txt"
        path.write_text(render_text(spec, "crawler"), encoding="utf-8")
        report = convert(path)
        got = flatten(report.model_dump())
        wrong = {k: (v, got.get(k)) for k, v in spec.values.items() if got.get(k) not in (None, v)}
        assert wrong == {}
        assert report.report.template == template
        t34 = [k for k in spec.values if k.startswith(("applications.", "review_litigation."))]
        exact += sum(got.get(k) == spec.values[k] for k in t34)
        tables += len(t34)
        if any(got.get(k) is None for k in spec.values):
            assert any(i.code == "run_together_ambiguous" for i in report.issues)
    assert exact / tables >= 0.4, f"{exact}/{tables} values of tables 三 and 四 cut apart"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    spec = make_report("2021", seed=5, agency="喆镕乡人民政府" if encoding != "gbk" else "金华乡人民政府")
    path = tmp_path / "r.txt"
    path.write_bytes(render_text(spec, "tsv").encode(encoding))
    report = convert(path)
    assert report.report.agency == spec.agency
    assert field_mismatches(spec.values, report.model_dump()) == {}


def test_undecodable_bytes_never_crash(tmp_path: Path) -> None:
    spec = make_report("2021", seed=6)
    data = render_text(spec, "tsv").encode("utf-8")
    path = tmp_path / "r.txt"
    path.write_bytes(data[:200] + b"\xff\xfe\xfa" + data[200:])
    doc = extract(path)
    assert doc.blocks


@pytest.mark.skipif(not REAL.exists(), reason="needs ../shared")
@pytest.mark.parametrize("path", sorted(REAL.glob("txt_*")), ids=lambda p: p.name[:6])
def test_real_text_renderings_never_crash(path: Path) -> None:
    try:
        convert(path)
    except NianbaoError as exc:
        assert "\n" not in str(exc)
