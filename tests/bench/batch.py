"""Benchmark `nianbao batch`: documents per second with 1 and 2 workers, and peak memory.

Builds a corpus of N distinct documents (default 520) from the DOCX, HTML and text samples and dev
files, each copy changed by a byte so that none is found in the cache, then runs the real command
(`python -m pipeline.cli batch`) once per worker count into a fresh job directory. Rates are
documents / wall time of the whole command (start-up and exports included). The process tree is
sampled with psutil (when installed): CPU seconds of the whole job (a load-independent cost; the machine
may be shared, so the load average is printed too), the client's peak RSS, and each worker's RSS when
first and last seen and its peak (flat memory: end close to start).

    .venv/bin/python tests/bench/batch.py [N] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.batch_corpus import good_files, with_comment  # noqa: E402


def build_corpus(root: Path, n: int) -> dict[str, int]:
    """n distinct documents cycling over the good files; returns the count per format."""
    sources = good_files()
    counts: dict[str, int] = {}
    for i in range(n):
        src = sources[i % len(sources)]
        data = src.read_bytes()
        suffix = src.suffix.lower()
        data = with_comment(data, f"v{i}".encode()) if suffix == ".docx" else data + b"\n" * (1 + i // len(sources))
        target = root / f"d{i // 100:02d}" / f"{i:04d}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        fmt = {".md": "txt", ".htm": "html"}.get(suffix, suffix[1:])
        counts[fmt] = counts.get(fmt, 0) + 1
    return counts


class Sampler(threading.Thread):
    """Samples the job's process tree every `every` s with psutil: RSS and CPU times of the client and of
    each worker (the workers are the client's grandchildren, under the forkserver). Per worker it keeps
    the RSS first seen, once warm (after a second of CPU: the extractors' imports are done), last seen and
    its peak, so that a leak shows as end >> warm."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.procs: dict[int, dict] = {}  # pid -> first_rss, warm_rss, last_rss, peak_rss, cpu, role
        self.warm_cpu = 1.0  # a worker is warm (its extractors imported) after this much CPU time

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in tree:
                try:
                    rss, cpu = proc.memory_info().rss, sum(proc.cpu_times()[:2])
                    role = "client" if proc.pid == self.pid else ("worker" if proc.ppid() != self.pid else "other")
                except psutil.Error:
                    continue
                if not rss:  # exited, not yet reaped
                    continue
                rec = self.procs.setdefault(proc.pid, {"first_rss": rss, "peak_rss": 0, "role": role})
                rec.update(last_rss=rss, peak_rss=max(rec["peak_rss"], rss), cpu=cpu)
                if cpu >= self.warm_cpu:
                    rec.setdefault("warm_rss", rss)
            time.sleep(self.every)


def run(corpus: Path, out: Path, workers: int) -> dict:
    cmd = [sys.executable, "-m", "pipeline.cli", "batch", str(corpus), "-o", str(out), "--workers", str(workers),
           "--no-progress"]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed: {err.decode()[-2000:]}")
    conn = sqlite3.connect(out / "nianbao.sqlite")
    n, ok = conn.execute("SELECT count(*), sum(status = 'ok') FROM documents").fetchone()
    reported = [r[0] for r in conn.execute("SELECT max(rss_kb) FROM documents WHERE worker IS NOT NULL "
                                           "GROUP BY worker")]
    conn.close()
    procs = sampler.procs.values()
    # a worker is a grandchild that ran for a while (the forkserver itself is a child: role "other")
    worker_procs = [p for p in procs if p["role"] == "worker" and p.get("cpu", 0) > 0.2]
    client = [p for p in procs if p["role"] == "client"]
    cpu = sum(p.get("cpu", 0) for p in procs)
    return {"workers": workers, "docs": n, "ok": ok, "wall": wall, "rate": n / wall, "load": load,
            "cpu": cpu, "cpu_ms_per_doc": 1000 * cpu / n,
            "worker_rss": [(p["first_rss"] / 2**20, p.get("warm_rss", p["first_rss"]) / 2**20,
                            p["last_rss"] / 2**20, p["peak_rss"] / 2**20, p.get("cpu", 0)) for p in worker_procs],
            "worker_maxrss_mb": max(reported) / 1024 if reported else 0.0,
            "client_rss_mb": client[0]["peak_rss"] / 2**20 if client else 0.0,
            "client_cpu": client[0].get("cpu", 0) if client else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=520)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        counts = build_corpus(tmp / "corpus", args.n)
        print(f"corpus: {args.n} documents ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
        print(f"machine: {os.cpu_count()} cores, load average before each run in the table (other jobs share it)")
        print(f"{'workers':>7} {'docs':>5} {'ok':>5} {'wall s':>7} {'docs/s':>7} {'load':>5} {'CPU s':>6} "
              f"{'CPU ms/doc':>10} {'client CPU s':>12} {'client peak MB':>14}  each worker: RSS MB start -> warm -> end (peak), CPU s")
        for workers in (int(w) for w in args.workers.split(",")):
            r = run(tmp / "corpus", tmp / f"job{workers}", workers)
            rss = "; ".join(f"{a:.0f} -> {b:.0f} -> {c:.0f} ({d:.0f}), {e:.1f}"
                            for a, b, c, d, e in r["worker_rss"]) or \
                f"n/a (no psutil); ru_maxrss {r['worker_maxrss_mb']:.0f}"
            print(f"{r['workers']:>7} {r['docs']:>5} {r['ok']:>5} {r['wall']:>7.1f} {r['rate']:>7.1f} "
                  f"{r['load']:>5.1f} {r['cpu']:>6.1f} {r['cpu_ms_per_doc']:>10.1f} {r['client_cpu']:>12.1f} "
                  f"{r['client_rss_mb']:>14.0f}  {rss}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
