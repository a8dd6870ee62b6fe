"""Documents for the review-site and workbook tests, rendered as text the way Word saves tables.

Two bodies of one city (淮安市清江浦区人民政府 over three years, 淮安市人民政府 over two), a 2021 report whose
fee is 18651.06 万元, a 2019 report whose procurement is 75394432.52 元, a mixed table whose （六） row is
the 2019 single row, and a sparse report (most applicant cells blank).
"""

from __future__ import annotations

from pathlib import Path

from tests.fixturegen import make_report, table_active
from tests.fixturegen.text_render import render_text

COUNTY = "淮安市清江浦区人民政府"
HUAIAN = "淮安市人民政府"
FEE = 18651.06
PROCUREMENT = 75394432.52


def _with_values(spec, **values) -> None:
    """Set active-disclosure values and redraw table two with them."""
    for key, value in values.items():
        spec.values[key] = value
    index = next(i for i, b in enumerate(spec.blocks) if isinstance(b, list))
    spec.blocks[index] = table_active(spec.values, spec.template)


def build_review_corpus(root: Path) -> dict[str, Path]:
    """name -> path of each document written under root."""
    specs = {}
    for n, year in enumerate((2021, 2022, 2023)):
        specs[f"county_{year}"] = make_report("2021", seed=40 + n, agency=COUNTY, year=year)
    for n, year in enumerate((2022, 2023)):
        specs[f"huaian_{year}"] = make_report("2021", seed=50 + n, agency=HUAIAN, year=year)
    fee = make_report("2021", seed=61, agency="涟水县人民政府", year=2023)
    _with_values(fee, **{"active_disclosure.fees.amount_10k_yuan": FEE})
    specs["fee"] = fee
    procurement = make_report("2019", seed=62, agency="盱眙县人民政府", year=2019)
    _with_values(procurement, **{"active_disclosure.procurement.amount": PROCUREMENT})
    specs["procurement"] = procurement
    specs["mixed"] = make_report("2021", seed=63, agency="金湖县人民政府", year=2023, mixed=True)
    specs["sparse"] = make_report("2021", seed=64, agency="淮安市淮阴区人民政府", year=2023, nulls=150)
    root.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, spec in specs.items():
        path = root / f"{name}.txt"
        path.write_text(render_text(spec, "tsv"), encoding="utf-8")
        paths[name] = path
    return paths
