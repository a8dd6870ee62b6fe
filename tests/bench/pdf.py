"""`make bench` (PDF): nianbao on born-digital PDF reports, side by side with camelot lattice and pdfplumber defaults.

On the same files (samples/pdf, ../shared/corpus/real, ../shared/corpus/dev; duplicates by content
counted once), in one process after a warm-up run of each engine:

- nianbao: `convert` (extract + normalise: the whole report), median of ROUNDS runs per file;
  `extract` alone too;
- pdfplumber defaults: `page.extract_tables()` on every page (tables only, no report);
- camelot lattice: `camelot.read_pdf(path, pages="all", flavor="lattice")` (tables only), one run per
  file (it takes seconds per page); skipped when camelot is not installed.

Prints the median seconds per report, milliseconds per page (all time / all pages, and the median
of each report's per-page time), the 6-page report on its own, and the ratios of the other engines'
time to nianbao's (median over reports of their seconds / nianbao's seconds). The issue's target:
the 6-page born-digital report in <= 0.4 s median and <= 60 ms per page.

BENCH_PDF_ROUNDS (default 5) sets nianbao's rounds; BENCH_PDF_CAMELOT=0 skips camelot.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from extractors import extract  # noqa: E402
from pipeline import convert  # noqa: E402
from pipeline.errors import NianbaoError  # noqa: E402

SIX_PAGES = "pdf_03_huaian2024.pdf"
TARGET_S, TARGET_MS_PAGE = 0.4, 60.0


def files() -> list[Path]:
    seen: set[str] = set()
    out = []
    for folder, pattern in ((SHARED / "real", "*.pdf"), (ROOT / "samples" / "pdf", "*.pdf"), (SHARED / "dev", "dev_*.pdf")):
        for path in sorted(folder.glob(pattern)) if folder.exists() else []:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                out.append(path)
    return out


def pages(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def timed(fn, rounds: int) -> float:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def run_nianbao(path: Path) -> None:
    with contextlib.suppress(NianbaoError):
        convert(path)


def run_extract(path: Path) -> None:
    extract(path)


def run_pdfplumber(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()


def run_camelot(path: Path) -> None:
    import camelot

    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        camelot.read_pdf(str(path), pages="all", flavor="lattice", suppress_stdout=True)


def main() -> None:
    logging.disable(logging.WARNING)
    paths = files()
    if not paths:
        print("no PDFs found")
        return
    rounds = int(os.environ.get("BENCH_PDF_ROUNDS", "5"))
    engines = {"nianbao convert": (run_nianbao, rounds), "nianbao extract": (run_extract, rounds),
               "pdfplumber defaults": (run_pdfplumber, 3)}
    try:
        with warnings.catch_warnings():  # pypdf, under camelot, warns about cryptography's ARC4 on import
            warnings.simplefilter("ignore")
            import camelot  # noqa: F401

        if os.environ.get("BENCH_PDF_CAMELOT", "1") != "0":
            engines["camelot lattice"] = (run_camelot, 1)
    except ImportError:
        print("camelot not installed: no camelot column (pip install 'nianbao[camelot]')")
    n_pages = {p: pages(p) for p in paths}
    for fn, _ in engines.values():  # warm-up: imports, fonts, models
        fn(paths[0])
    times: dict[str, dict[Path, float]] = {name: {} for name in engines}
    for path in paths:
        for name, (fn, k) in engines.items():
            times[name][path] = timed(lambda fn=fn, path=path: fn(path), k)
    total_pages = sum(n_pages.values())
    print(f"{len(paths)} born-digital PDF reports, {total_pages} pages "
          f"({min(n_pages.values())}-{max(n_pages.values())} pages each); nianbao: median of {rounds} runs")
    print(f"{'engine':22} {'median s/report':>16} {'ms/page (all)':>14} {'median ms/page':>15} {'6-page report s':>16}")
    six = next((p for p in paths if p.name == SIX_PAGES), None)
    for name, per in times.items():
        per_page = [per[p] / n_pages[p] * 1000 for p in paths]
        all_pages = sum(per.values()) / total_pages * 1000
        six_s = f"{per[six]:.3f}" if six else "-"
        print(f"{name:22} {statistics.median(per.values()):>16.3f} {all_pages:>14.1f} "
              f"{statistics.median(per_page):>15.1f} {six_s:>16}")
    base = times["nianbao convert"]
    for name in engines:
        if name.startswith("nianbao"):
            continue
        ratios = [times[name][p] / base[p] for p in paths if base[p] > 0]
        total = sum(times[name].values()) / sum(base.values())
        print(f"ratio {name} / nianbao convert: median {statistics.median(ratios):.1f}x per report, "
              f"{total:.1f}x in total")
    if six:
        s, ms = base[six], base[six] / n_pages[six] * 1000
        verdict = "met" if s <= TARGET_S and ms <= TARGET_MS_PAGE else "MISSED"
        print(f"target (6-page report {six.name}: <= {TARGET_S} s, <= {TARGET_MS_PAGE:.0f} ms/page): "
              f"{s:.3f} s, {ms:.1f} ms/page: {verdict}")


if __name__ == "__main__":
    main()
