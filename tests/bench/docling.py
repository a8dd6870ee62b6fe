"""DOCX conversion time next to Docling's DOCX backend, on the same files.

Docling pulls in PyTorch, so it is not a dependency: point DOCLING_PYTHON at an interpreter that has
it (`python3 -m venv /tmp/dvenv && /tmp/dvenv/bin/pip install torch==2.13.0 docling`), else this skips.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT.parent / "shared" / "corpus" / "dev").glob("*.docx")) + sorted(
    (ROOT / "samples").rglob("*.docx"))

DOCLING = """
import statistics, sys, time
from docling.document_converter import DocumentConverter
from docling.datamodel.base_models import InputFormat
files = sys.argv[1:]
conv = DocumentConverter(allowed_formats=[InputFormat.DOCX])
conv.convert(files[0])
per_file = []
for f in files:
    runs = []
    for _ in range(3):
        t = time.perf_counter(); conv.convert(f); runs.append(time.perf_counter() - t)
    per_file.append(statistics.median(runs) * 1000)
print(statistics.median(per_file))
"""


def nianbao_ms() -> float:
    sys.path.insert(0, str(ROOT))
    from pipeline import convert

    convert(FILES[0])
    per_file = []
    for f in FILES:
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            convert(f)
            runs.append(time.perf_counter() - t)
        per_file.append(statistics.median(runs) * 1000)
    return statistics.median(per_file)


def main() -> None:
    if not FILES:
        print("no DOCX files to measure")
        return
    ours = nianbao_ms()
    print(f"nianbao DOCX convert (extract + normalise): median {ours:.1f} ms over {len(FILES)} files")
    python = os.environ.get("DOCLING_PYTHON")
    if not python:
        print("Docling: skipped (set DOCLING_PYTHON to an interpreter with docling installed)")
        return
    out = subprocess.run([python, "-c", DOCLING, *map(str, FILES)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"Docling: failed ({out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode})")
        return
    theirs = float(out.stdout.strip().splitlines()[-1])
    print(f"Docling DOCX backend: median {theirs:.1f} ms -> nianbao is {theirs / ours:.1f}x faster")


if __name__ == "__main__":
    main()
