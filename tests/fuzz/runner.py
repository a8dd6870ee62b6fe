"""Run one fuzz case as `nianbao convert CASE -o OUT` in its own process group, and classify it.

Outcomes: `report` (exit 0, a JSON report written), `error` (exit 1, exactly one `path: reason` line
on stderr), and the failures `traceback`, `internal` (the CLI's catch-all "internal error" line),
`hang` (killed at the timeout, with its whole process group), `crash` (any other exit or output).
Peak RSS of each case is the child's VmHWM, polled while it runs (wait4's ru_maxrss would count
the memory of this parent at fork time).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NIANBAO = ROOT / ".venv" / "bin" / "nianbao"
OK_OUTCOMES = ("report", "error")
FAIL_OUTCOMES = ("traceback", "internal", "hang", "crash")


@dataclass
class Result:
    path: Path
    outcome: str
    seconds: float
    peak_rss_kb: int
    detail: str  # the error line, or what went wrong


def command() -> list[str]:
    """How to start the CLI: the venv's console script, else `python -m pipeline.cli`."""
    if NIANBAO.exists():
        return [str(NIANBAO)]
    return [sys.executable, "-m", "pipeline.cli"]


def run_case(path: Path, outdir: Path, timeout: float = 60.0, env: dict[str, str] | None = None) -> Result:
    """Convert `path` into `outdir` in a subprocess; kill its process group at `timeout` seconds."""
    outdir.mkdir(parents=True, exist_ok=True)
    err_path = outdir / "stderr.txt"
    start = time.monotonic()
    with open(err_path, "wb") as err, open(os.devnull, "wb") as devnull:
        # the tool's own time limit fires first: a hang is then a loop it cannot interrupt
        limit = ["--timeout", f"{timeout * 0.75:g}"]
        proc = subprocess.Popen([*command(), "convert", str(path), "-o", str(outdir), *limit],
                                stdin=subprocess.DEVNULL,
                                stdout=devnull, stderr=err, cwd=ROOT, start_new_session=True,
                                env={**os.environ, **(env or {})})
    status, hung, peak = 0, False, 0
    while True:
        peak = max(peak, _peak_rss_kb(proc.pid))
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            hung = True
            _kill_group(proc.pid)
            _, status, _ = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    _kill_group(proc.pid)  # stragglers (LibreOffice) of this case's group only
    seconds = time.monotonic() - start
    stderr = err_path.read_text("utf-8", "replace")
    outcome, detail = classify(path, outdir, proc.returncode, stderr, hung)
    return Result(path, outcome, seconds, peak, detail)


def _peak_rss_kb(pid: int) -> int:
    """The process's peak resident set since exec (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def classify(path: Path, outdir: Path, code: int, stderr: str, hung: bool) -> tuple[str, str]:
    """The outcome of one run from its exit status, stderr and output directory."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    if hung:
        return "hang", "killed at the timeout"
    if "Traceback (most recent call last)" in stderr:
        return "traceback", stderr.strip().splitlines()[-1][:300]
    if any("internal error:" in ln for ln in lines):
        return "internal", lines[0][:300]
    report = outdir / (path.name + ".json")
    if code == 0:
        try:
            data = json.loads(report.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            return "crash", f"exit 0 but no readable report: {exc}"
        if data.get("schema") != "nianbao.report/1":
            return "crash", "exit 0 but the JSON is not a report"
        return "report", ""
    if code == 1 and len(lines) == 1 and lines[0].startswith(f"{path}: ") and len(lines[0]) > len(str(path)) + 2:
        return "error", lines[0][len(str(path)) + 2:][:300]
    return "crash", f"exit {code}; stderr: {' | '.join(lines)[:300]}"
