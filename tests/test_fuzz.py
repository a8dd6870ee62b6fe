"""The fast subset of `make fuzz`: seeded mutations of the samples of every format, each converted in
its own process. Every case must end in a report or one `path: reason` line; no traceback, no hang.

NIANBAO_FUZZ_SEED picks another subset (the failing inputs are kept under out/fuzz-failures).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fuzz.cases import build_cases
from tests.fuzz.run_fuzz import run_one
from tests.fuzz.runner import FAIL_OUTCOMES, ROOT

CASES = 80


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zip_dup_member writes a member twice on purpose
def test_mutated_samples_end_in_a_report_or_a_one_line_reason(tmp_path: Path) -> None:
    seed = int(os.environ.get("NIANBAO_FUZZ_SEED", "2026"))
    cases = build_cases(CASES, seed, specials=False)
    keep = ROOT / "out" / "fuzz-failures"
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda case: run_one(case, tmp_path, 60.0, keep), cases))
    failures = [f"{case.name}{case.suffix} ({case.kind}): {r.outcome}: {r.detail}"
                for case, r in results if r.outcome in FAIL_OUTCOMES]
    assert failures == [], f"seed {seed}:\n" + "\n".join(failures)
    assert {r.outcome for _, r in results} == {"report", "error"}  # mutations both survive and break
