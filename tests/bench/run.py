"""`make bench`: how fast nianbao converts, per format, measured on real and generated documents.

Prints, per format, the median and p90 milliseconds per document for extraction alone and for the
whole conversion (extract + normalise), the start-up time of `nianbao --help` and of a text
conversion, then runs the specialised benchmarks that exist beside this file (tests/bench/*.py).
Timings are medians over several rounds so that one slow round does not decide.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from extractors import extract  # noqa: E402
from pipeline.errors import NianbaoError  # noqa: E402
from pipeline.normalise import normalise  # noqa: E402

FORMATS = {"txt": (".txt", ".md"), "docx": (".docx",), "html": (".html", ".htm"), "pdf": (".pdf",)}


def corpus() -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {fmt: [] for fmt in FORMATS}
    roots = [ROOT / "samples", SHARED / "corpus" / "dev"]
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            for fmt, suffixes in FORMATS.items():
                if path.suffix.lower() in suffixes:
                    files[fmt].append(path)
    return files


def time_one(path: Path, rounds: int) -> tuple[float, float] | None:
    """Best-of-rounds milliseconds for extract, and for extract + normalise."""
    extract_ms, total_ms = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        try:
            doc = extract(path)
        except NianbaoError:
            return None
        t1 = time.perf_counter()
        with contextlib.suppress(NianbaoError):
            normalise(doc)
        t2 = time.perf_counter()
        extract_ms.append((t1 - t0) * 1000)
        total_ms.append((t2 - t0) * 1000)
    return statistics.median(extract_ms), statistics.median(total_ms)


def startup(args: list[str]) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "nianbao"), *args], capture_output=True, check=False)
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    files = corpus()
    print(f"{'format':6} {'docs':>5} {'extract ms (median/p90)':>24} {'convert ms (median/p90)':>24}")
    for fmt, paths in files.items():
        if not paths:
            continue
        rounds = 2 if fmt == "pdf" else 5
        times = [t for t in (time_one(p, rounds) for p in paths) if t]
        ex = sorted(t[0] for t in times)
        tot = sorted(t[1] for t in times)
        p90 = int(len(tot) * 0.9) - 1 if len(tot) > 1 else 0
        print(f"{fmt:6} {len(times):>5} {statistics.median(ex):>13.1f} / {ex[p90]:<8.1f} "
              f"{statistics.median(tot):>13.1f} / {tot[p90]:<8.1f}")
    seed = ROOT / "samples" / "txt" / "004_3cdf18e5691f1457.txt"
    print(f"\nnianbao --help: {startup(['--help']):.0f} ms; "
          f"nianbao convert <text> --stdout: {startup(['convert', str(seed), '--stdout']):.0f} ms")
    for extra in sorted(p for p in Path(__file__).parent.glob("*.py") if p.name not in ("run.py", "__init__.py")):
        print(f"\n== {extra.name}")
        sys.stdout.flush()
        subprocess.run([sys.executable, str(extra)], check=False)


if __name__ == "__main__":
    main()
