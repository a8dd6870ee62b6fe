"""Benchmark `nianbao batch`: documents per second with 1 and 2 workers, and peak memory.

Builds a corpus of N distinct documents (default 520) from the DOCX, HTML and text samples and dev
files, each copy changed by a byte so that none is found in the cache, then runs the real command
(`python -m pipeline.cli batch`) once per worker count into a fresh job directory. Rates are
documents / wall time of the whole command (start-up and exports included). Peak RSS per worker is
what the workers report (ru_maxrss, stored in documents.rss_kb); the client's peak is sampled with
psutil when it is installed.

    .venv/bin/python tests/bench_batch.py [N] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def _sample_client_rss(pid: int, peak: list[int], stop: threading.Event) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        proc = psutil.Process(pid)
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.05)
    except psutil.Error:
        pass


def run(corpus: Path, out: Path, workers: int) -> dict[str, float]:
    cmd = [sys.executable, "-m", "pipeline.cli", "batch", str(corpus), "-o", str(out), "--workers", str(workers),
           "--no-progress"]
    peak, stop = [0], threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = threading.Thread(target=_sample_client_rss, args=(proc.pid, peak, stop), daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed: {err.decode()[-2000:]}")
    conn = sqlite3.connect(out / "nianbao.sqlite")
    n, ok = conn.execute("SELECT count(*), sum(status = 'ok') FROM documents").fetchone()
    per_worker = [r[0] for r in conn.execute("SELECT max(rss_kb) FROM documents WHERE worker IS NOT NULL "
                                             "GROUP BY worker")]
    conn.close()
    return {"workers": workers, "docs": n, "ok": ok, "wall": wall, "rate": n / wall,
            "worker_rss_mb": max(per_worker) / 1024 if per_worker else 0.0,
            "client_rss_mb": peak[0] / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=520)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        counts = build_corpus(tmp / "corpus", args.n)
        print(f"corpus: {args.n} documents ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
        print(f"{'workers':>7} {'docs':>5} {'ok':>5} {'wall s':>7} {'docs/s':>7} {'worker peak RSS MB':>19} "
              f"{'client peak RSS MB':>19}")
        for workers in (int(w) for w in args.workers.split(",")):
            r = run(tmp / "corpus", tmp / f"job{workers}", workers)
            client = f"{r['client_rss_mb']:.0f}" if r["client_rss_mb"] else "n/a (no psutil)"
            print(f"{r['workers']:>7} {r['docs']:>5} {r['ok']:>5} {r['wall']:>7.1f} {r['rate']:>7.1f} "
                  f"{r['worker_rss_mb']:>19.0f} {client:>19}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
