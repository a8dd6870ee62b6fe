"""Write samples/pdf: two generated reports printed by LibreOffice, each with its truth, and a real PDF.

    python -m tests.fixturegen.make_pdf_samples   (from the project root; needs LibreOffice and ../shared)
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from tests.fixturegen import make_report
from tests.fixturegen.make_text_samples import truth_of
from tests.fixturegen.pdf_builder import Variant, build_docx, to_pdf

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "corpus" / "real" / "pdf_03_huaian2024.pdf"
OUT = ROOT / "samples" / "pdf"

GENERATED = [
    ("ruled_2021_break_huashu", {"template": "2021", "seed": 41, "agency": "临江市桦树镇人民政府"},
     Variant(repeat_header=True, filler=9)),
    ("borderless_2019_fengxian", {"template": "2019", "seed": 42, "agency": "宝鸡市凤县人民政府", "year": 2020},
     Variant(borders=False, filler=3)),
]

# values read off the real PDF by eye (MANIFEST.tsv and the page images)
HUAIAN_PARTIAL = {
    "applications.new_received.natural_person": 3001, "applications.new_received.commercial_enterprise": 53,
    "applications.new_received.legal_service_org": 61, "applications.new_received.other_org": 4,
    "applications.new_received.total": 3119, "applications.carried_over.total": 34,
    "applications.results_total.total": 3050, "applications.carried_forward.total": 103,
    "review_litigation.review.upheld": 72, "review_litigation.review.corrected": 64,
    "review_litigation.review.other": 178, "review_litigation.review.pending": 37, "review_litigation.review.total": 351,
    "review_litigation.litigation_direct.total": 26, "review_litigation.litigation_after_review.total": 20,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        specs = {stem: make_report(**opts) for stem, opts, _ in GENERATED}
        docs = [build_docx(specs[stem], variant, Path(tmp) / f"{stem}.docx") for stem, _, variant in GENERATED]
        for pdf in to_pdf(docs, Path(tmp)):
            shutil.copy(pdf, OUT / pdf.name)
            (OUT / f"{pdf.stem}.truth.json").write_text(
                json.dumps(truth_of(specs[pdf.stem]), ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.copy(REAL, OUT / REAL.name)
    truth = {"partial": True, "template": "2021", "year": 2024, "agency": "淮安市人民政府", "fields": HUAIAN_PARTIAL}
    (OUT / f"{REAL.stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
