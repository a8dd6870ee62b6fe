#!/usr/bin/env python3
"""`make fuzz`: convert ≥1,000 mutated and hostile inputs, each in its own subprocess, and count outcomes.

    .venv/bin/python tests/fuzz/run_fuzz.py --cases 1000 [--seed 0] [--jobs 2] [--timeout 60]

Every case is `nianbao convert CASE -o OUT` under a timeout (its process group is killed on expiry).
Outcomes: report / error (one `path: reason` line, exit 1) are fine; traceback / internal / hang /
crash are failures: those cases are kept in --keep (default out/fuzz-failures) to be replayed, and
the exit status is 1. LibreOffice gets NIANBAO_SOFFICE_TIMEOUT=40 so it fails before the case timeout.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.cases import Case, build_cases  # noqa: E402
from tests.fuzz.runner import FAIL_OUTCOMES, OK_OUTCOMES, ROOT, Result, run_case  # noqa: E402

CASE_ENV = {"NIANBAO_SOFFICE_TIMEOUT": "40"}


def run_one(case: Case, work: Path, timeout: float, keep: Path) -> tuple[Case, Result]:
    """Write the case, convert it, keep it if it failed, delete it otherwise."""
    path = work / "cases" / f"{case.name}{case.suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.make())
    outdir = work / "out" / case.name
    result = run_case(path, outdir, timeout=timeout, env=CASE_ENV)
    if result.outcome in FAIL_OUTCOMES:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, keep / path.name)
        (keep / f"{path.name}.stderr.txt").write_text((outdir / "stderr.txt").read_text("utf-8", "replace"))
    path.unlink(missing_ok=True)
    shutil.rmtree(outdir, ignore_errors=True)
    return case, result


def soffice_left() -> list[str]:
    """soffice processes still running (there must be none after the run)."""
    found = subprocess.run(["pgrep", "-a", "soffice"], capture_output=True, text=True).stdout
    return [ln for ln in found.splitlines() if "nianbao-lo-" in ln]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, default=ROOT / "out" / "fuzz-failures")
    parser.add_argument("--no-specials", action="store_true", help="only the random mutations")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", "Duplicate name")  # zip_dup_member writes a member twice on purpose

    cases = build_cases(args.cases, args.seed, specials=not args.no_specials)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    # the slow specials first, so that they overlap with the many quick cases
    cases.sort(key=lambda c: (not c.kind.startswith("special:"), c.name))
    start = time.monotonic()
    outcomes: Counter[str] = Counter()
    by_format: dict[str, Counter[str]] = {}
    results: list[tuple[Case, Result]] = []
    with tempfile.TemporaryDirectory(prefix="nianbao-fuzz-") as tmp, ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_one, case, Path(tmp), args.timeout, args.keep) for case in cases]
        for done, future in enumerate(as_completed(futures), 1):
            case, result = future.result()
            results.append((case, result))
            outcomes[result.outcome] += 1
            by_format.setdefault(case.kind.split(":")[0], Counter())[result.outcome] += 1
            if result.outcome in FAIL_OUTCOMES:
                print(f"FAIL {result.outcome:9s} {case.name}{case.suffix} ({case.kind}): {result.detail}", flush=True)
            if done % 100 == 0:
                print(f"  {done}/{len(cases)} cases, {time.monotonic() - start:.0f} s", flush=True)
    elapsed = time.monotonic() - start

    print(f"\n{len(results)} cases in {elapsed:.0f} s ({args.jobs} jobs, timeout {args.timeout:g} s, seed {args.seed})")
    print("outcomes: " + ", ".join(f"{k} {outcomes[k]}" for k in (*OK_OUTCOMES, *FAIL_OUTCOMES)))
    for fmt, counts in sorted(by_format.items()):
        print(f"  {fmt:8s} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    heaviest = sorted(results, key=lambda cr: -cr[1].peak_rss_kb)[:5]
    slowest = sorted(results, key=lambda cr: -cr[1].seconds)[:5]
    print("peak RSS: " + ", ".join(f"{c.name}{c.suffix} {r.peak_rss_kb / 1024:.0f} MB" for c, r in heaviest))
    print("slowest:  " + ", ".join(f"{c.name}{c.suffix} {r.seconds:.1f} s" for c, r in slowest))
    errors = Counter(r.detail.split(":")[0][:60] for _, r in results if r.outcome == "error")
    print("commonest errors: " + "; ".join(f"{k} ×{v}" for k, v in errors.most_common(8)))
    left = soffice_left()
    if left:
        print(f"FAIL soffice processes left running: {left}")
    failed = sum(outcomes[k] for k in FAIL_OUTCOMES) + len(left)
    if failed:
        print(f"{failed} failures; failing inputs kept in {args.keep}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
