"""Every sample in samples/ converts with every field equal to its truth file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from extractors import extract
from pipeline.intermediate import Document
from pipeline.normalise import normalise
from pipeline.schemas import SCHEMA_DIR
from tests.helpers import field_mismatches, load_truth

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample_cases() -> list[tuple[Path, Path]]:
    cases = []
    for truth in sorted(SAMPLES.rglob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        inputs = [p for p in truth.parent.iterdir() if p.name.startswith(stem + ".") and not p.name.endswith(".json")]
        assert len(inputs) == 1, f"{truth}: expected one input file, found {inputs}"
        cases.append((inputs[0], truth))
    return cases


CASES = sample_cases()


@pytest.fixture(scope="module")
def intermediate_schema() -> dict:
    return json.loads((SCHEMA_DIR / "intermediate.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("source", "truth_path"), CASES, ids=[c[0].relative_to(SAMPLES).as_posix() for c in CASES])
def test_sample_converts_exactly(source: Path, truth_path: Path, intermediate_schema: dict) -> None:
    truth = load_truth(truth_path)
    doc = extract(source)
    # the intermediate form validates against the committed schema and survives a JSON round trip
    as_json = doc.to_json()
    jsonschema.validate(json.loads(as_json), intermediate_schema)
    assert Document.from_json(as_json) == doc
    report = normalise(doc)
    data = report.model_dump(by_alias=True)
    expected = truth["fields"]
    if truth.get("template") == "legacy":  # every row of the statistics table, both columns, and nothing else
        assert set(report.legacy_values()) == {k for k in expected if not k.endswith((".unit", ".glued"))}
        assert data["active_disclosure"] is None and "active_disclosure" not in json.loads(report.to_json())
    elif not truth.get("partial"):
        assert len(expected) >= 199
    assert field_mismatches(expected, data) == {}
    for key in ("template", "year", "agency", "published"):
        if key in truth:
            assert data["report"][key] == truth[key], key
    failing = {c["rule"] for c in data["checks"] if not c["ok"]}
    assert failing == set(truth.get("expect_failing_checks", [])) or truth.get("partial")
    for field_id, value in report.values().items():
        if value is not None:
            assert field_id in report.provenance, f"{field_id} has no provenance"


def test_there_are_samples_in_every_layout() -> None:
    names = {p.name for p, _ in CASES}
    assert len([n for n in names if n.startswith("00")]) == 5  # the five seeds
    assert len(CASES) >= 13
