"""Small helpers shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path

DATA_KEYS = ("active_disclosure", "applications", "review_litigation", "legacy")


def flatten(report: dict) -> dict:
    """The report's values keyed by field id (`applications.new_received.total`)."""
    out: dict = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}", value)
        else:
            out[prefix] = node

    for top in DATA_KEYS:
        if isinstance(report.get(top), dict):
            walk(top, report[top])
    return out


def field_mismatches(expected: dict, report: dict) -> dict:
    """{field: (expected, got)} for every field that differs; empty when all match."""
    got = flatten(report)
    bad = {}
    for key, want in expected.items():
        have = got.get(key, "<missing>")
        same = (want is None and have is None) or (
            want is not None and have is not None and have != "<missing>"
            and (abs(have - want) < 1e-9 if isinstance(want, (int, float)) and isinstance(have, (int, float))
                 else have == want)
        )
        if not same:
            bad[key] = (want, have)
    return bad


def load_truth(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
