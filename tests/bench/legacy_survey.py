"""Survey of pre-2019 report pages: how many had a statistics table, how many rows mapped, which labels did not.

    python -m tests.bench.legacy_survey DIR

DIR holds one folder per report page with its crawler text (`page.txt`) and, where saved, the table as the
page's HTML had it (`table.html`, the cells apart). Each page.txt is converted; where table.html exists it is
converted too (wrapped in a page with the same title) and the two readings are compared value by value.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pipeline import convert
from pipeline.errors import NianbaoError


def _html_page(title: str, table: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>{table}"
            "</body></html>").encode()


def survey(root: Path) -> dict[str, object]:
    pages = sorted(root.rglob("page.txt"))
    counts: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    disagreements: list[str] = []
    for page in pages:
        try:
            report = convert(page)
        except NianbaoError as exc:
            counts[f"refused: {type(exc).__name__}"] += 1
            continue
        if report.report.template != "legacy" or (report.report.year or 0) > 2018:
            counts["2019+ template report"] += 1
            continue
        counts["pre-2019 pages"] += 1
        values = report.legacy_values()
        if not report.legacy:
            counts["no table read"] += 1
            continue
        counts["table read"] += 1
        fields = {k.rsplit(".", 1)[0] for k in values}
        counts["rows mapped"] += len(fields)
        counts["rows unmapped"] += len(report.legacy_unmapped or [])
        unmapped.update(r.label for r in report.legacy_unmapped or [])
        glued = [f for f in fields if report.legacy_entry(f).get("glued")]
        counts["rows left null, glued"] += len(glued)
        counts["values read"] += sum(v is not None for v in values.values())
        html = page.with_name("table.html")
        if html.exists():
            counts["pages with table.html"] += 1
            twin = page.with_name("table.page.html")
            twin.write_bytes(_html_page(report.report.title or "", html.read_text(encoding="utf-8")))
            try:
                truth = convert(twin).legacy_values()
            finally:
                twin.unlink()
            for key, value in values.items():
                if value is not None:
                    counts["values compared with table.html"] += 1
                    if truth.get(key) != value:
                        disagreements.append(f"{page.parent.name}: {key} text {value} html {truth.get(key)}")
            counts["values null in text, known in table.html"] += sum(
                values.get(k) is None and v is not None for k, v in truth.items())
    return {"pages": len(pages), **counts, "unmapped labels": dict(unmapped), "disagreements": disagreements}


def main() -> None:
    result = survey(Path(sys.argv[1]))
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
