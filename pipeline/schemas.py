"""The two JSON Schemas, generated from the models; committed copies live in pipeline/data/."""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).with_name("data")


def json_schema(which: str) -> dict:
    if which == "intermediate":
        from pipeline.intermediate import Document

        return Document.model_json_schema(by_alias=True)
    if which == "report":
        from pipeline.report import report_json_schema

        return report_json_schema()
    raise KeyError(which)


def write_committed() -> None:
    """Refresh the committed schema files (run after changing a model)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for which in ("intermediate", "report"):
        text = json.dumps(json_schema(which), ensure_ascii=False, indent=1) + "\n"
        (SCHEMA_DIR / f"{which}.schema.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_committed()
