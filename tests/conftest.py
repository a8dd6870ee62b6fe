"""What every test module shares: where things are, and markers for what a machine may lack.

Markers skip a test, with the reason, where its tool or corpus is missing; CI has them all
(`make install` installs LibreOffice, poppler, Chromium and the extras; ../shared lies beside the repo).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev"
REAL = SHARED / "corpus" / "real"

_MISSING = {
    "needs_soffice": (lambda: shutil.which("soffice") is None, "LibreOffice (soffice) is not installed"),
    "needs_shared": (lambda: not (SHARED / "corpus").is_dir(), "../shared/corpus is not present"),
}


def pytest_configure(config: pytest.Config) -> None:
    for name, (_, reason) in _MISSING.items():
        config.addinivalue_line("markers", f"{name}: skipped when {reason.split(' is ')[0]} is missing")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name, (missing, reason) in _MISSING.items():
            if item.get_closest_marker(name) is not None and missing():
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    if not DEV.is_dir():
        pytest.skip("../shared/corpus/dev is not present")
    return DEV


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/corpus/real is not present")
    return REAL
