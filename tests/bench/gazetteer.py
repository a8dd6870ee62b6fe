"""`make bench` (gazetteer): what reading report.body costs per report, against the target of 2 ms.

The gazetteer (pipeline/data/divisions.tsv and townships.tsv, about 42,000 divisions) is loaded once per
process, on first use (the townships on the first township name): its load times are printed apart. Then, on the text, HTML and DOCX reports of samples/ and the shared
corpus (extracted once beforehand), the median, p90 and largest milliseconds of `read_body` per report
(name widening, gazetteer lookups, the text check of an ambiguous place), best of ROUNDS runs each, and of
`body_from_name` alone on the names found; then the batch's fill (pipeline.batch.bodies) per report, on a
job database of BATCH_REPORTS reports whose bodies are those names, spread over county folders.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from extractors import extract  # noqa: E402
from pipeline.batch.bodies import fill_bodies  # noqa: E402
from pipeline.batch.store import Store, body_columns  # noqa: E402
from pipeline.bodies import body_from_name  # noqa: E402
from pipeline.errors import NianbaoError  # noqa: E402
from pipeline.gazetteer import gazetteer  # noqa: E402
from pipeline.normalise.body import read_body  # noqa: E402
from pipeline.normalise.metadata import read_metadata  # noqa: E402

ROUNDS = 5
SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}
TARGET_MS = 2.0
BATCH_REPORTS = 5000
FOLDERS = ("宁陕县", "彭阳县", "滦南县", "misc", "2023")


def documents() -> list:
    docs = []
    for root in (ROOT / "samples", SHARED / "corpus" / "real", SHARED / "corpus" / "dev"):
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.suffix.lower() in SUFFIXES:
                try:
                    docs.append(extract(path))
                except NianbaoError:
                    continue
    return docs


def best_ms(fn, rounds: int = ROUNDS) -> float:
    runs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return min(runs)


def summary(label: str, times: list[float]) -> None:
    times = sorted(times)
    p90 = times[max(0, int(len(times) * 0.9) - 1)]
    verdict = "ok" if p90 < TARGET_MS else "OVER TARGET"
    print(f"{label:28} n={len(times):4}  median {statistics.median(times):6.3f} ms  p90 {p90:6.3f} ms  "
          f"max {times[-1]:6.3f} ms  ({verdict}: {TARGET_MS} ms)")


def main() -> None:
    t0 = time.perf_counter()
    gz = gazetteer()
    t1 = time.perf_counter()
    gz.named("梅子镇")
    t2 = time.perf_counter()
    print(f"gazetteer load, once per process: {(t1 - t0) * 1000:.0f} ms to county level, "
          f"{(t2 - t1) * 1000:.0f} ms more for the townships (on the first township name)")
    docs = documents()
    agencies = [read_metadata(doc).agency for doc in docs]
    summary("read_body per report", [best_ms(lambda d=d, a=a: read_body(d, a)) for d, a in zip(docs, agencies, strict=True)])
    names = [read_body(d, a).name for d, a in zip(docs, agencies, strict=True)]
    summary("body_from_name per name", [best_ms(lambda n=n: body_from_name(n)) for n in names if n])
    batch_fill([n for n in names if n])


def batch_fill(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "nianbao.sqlite")
        conn = store.conn
        conn.execute("BEGIN")
        for i in range(BATCH_REPORTS):
            body = body_from_name(names[i % len(names)]).fields()
            cols = body_columns(body)
            report_id = conn.execute(
                "INSERT INTO reports (json, body_name, region_code, body_id, body_source) VALUES (?,?,?,?,?)",
                ('{"report": {}, "issues": []}', cols["body_name"], cols["region_code"], cols["body_id"],
                 "document" if cols["body_id"] else None)).lastrowid
            conn.execute("INSERT INTO documents (path, status, report_id) VALUES (?, 'ok', ?)",
                         (f"job/{FOLDERS[i % len(FOLDERS)]}/{i}.pdf", report_id))
        conn.execute("COMMIT")
        t0 = time.perf_counter()
        settled = fill_bodies(conn, lambda *args: None)
        ms = (time.perf_counter() - t0) * 1000
        store.close()
    print(f"batch fill: {ms:.0f} ms for {BATCH_REPORTS} reports ({settled} settled), "
          f"{ms / BATCH_REPORTS:.3f} ms per report (target {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
