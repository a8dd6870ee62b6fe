"""`make bench` (pictures): OCR seconds per picture page, next to a scanned PDF page read the same way.

Reads, in one process after a warm-up (the OCR models load once):

- the dev2_i* cases of ../shared/corpus/dev: a DOCX of page pictures, a saved page of <img> tags and
  one tall JPEG (cut into pieces, each a page);
- a scanned PDF page for comparison: page 1 of dev_004's PDF rendered to a 200-dpi image-only PDF
  (what tests/fixturegen/pdf_builder.scan makes), read by the scanned-PDF path.

Prints wall-clock and CPU seconds per document and per picture page. The machine is shared: CPU
time (process_time, all threads) is the steadier figure when the wall clock is inflated by load.
Skipped when the ocr extra is not installed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
sys.path.insert(0, str(ROOT))

from extractors import extract, pictures  # noqa: E402


def _pages(doc) -> int:
    """Pages read by OCR: what the pictures' "ocr" warning counts (a tall picture's pieces each count),
    else the PDF's pages read by OCR."""
    for w in doc.warnings:
        if w.code == "ocr":
            return int(w.message.split()[0])
    return max(1, sum(1 for w in doc.warnings if w.code == "pdf_ocr"))


def _time(path: Path) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    doc = extract(path)
    return time.perf_counter() - wall, time.process_time() - cpu, _pages(doc)


def _scanned_page(workdir: Path) -> Path | None:
    source = DEV / "dev_004.pdf"
    if not source.exists():
        return None
    from tests.fixturegen.pdf_builder import scan

    return scan(source, workdir / "scanned.pdf", dpi=200, pages=[1])


def main() -> None:
    if not pictures.available():
        print("pictures: skipped (the ocr extra is not installed)")
        return
    cases = [p for p in sorted(DEV.glob("dev2_i*")) if p.suffix in (".docx", ".html", ".jpg", ".png")]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        scanned = _scanned_page(Path(tmp))
        if cases:
            extract(cases[0])  # warm-up: model loading is not a page's cost
        print(f"{'document':<28} {'pages':>5} {'wall s':>8} {'cpu s':>8} {'wall s/page':>12} {'cpu s/page':>11}")
        for path in [*cases, *([scanned] if scanned else [])]:
            wall, cpu, pages = _time(path)
            name = "scanned PDF page (200 dpi)" if path == scanned else path.name
            print(f"{name:<28} {pages:>5} {wall:>8.1f} {cpu:>8.1f} {wall / pages:>12.2f} {cpu / pages:>11.2f}")


if __name__ == "__main__":
    main()
