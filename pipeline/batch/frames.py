"""A job as pandas DataFrames, in one line:

    from pipeline.batch.frames import load_job
    frames = load_job("JOB")            # {"reports_wide": DataFrame, "panel": DataFrame, "values": ..., ...}
    frames["panel"].pivot(index="body_id", columns="year", values="new_received")

pandas is an optional extra (`pip install -e '.[pandas]'`), imported only here. The frames are read from the
job's database (the source of truth), tables and views alike; the reports table comes without its JSON
column (the report JSON is in reports.jsonl).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pipeline.errors import NianbaoError

TABLES = ("reports_wide", "panel", "documents", "reports", "values", "checks", "issues", "cross_year", "growth",
          "legacy_continuity")


def load_job(job: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, Any]:
    """Name -> DataFrame for each table and view of the job that exists (JOB or JOB/nianbao.sqlite)."""
    try:
        import pandas as pd
    except ImportError:
        raise NianbaoError("load_job needs pandas: pip install -e '.[pandas]'") from None
    path = Path(job)
    db = path / "nianbao.sqlite" if path.is_dir() else path
    if not db.is_file():
        raise NianbaoError(f"{db}: no job database (run `nianbao batch` first)")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        frames = {}
        for name in tables:
            if name not in present:
                continue
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")') if row[1] != "json"]
            select = ", ".join(f'"{c}"' for c in columns)
            frames[name] = pd.read_sql_query(f'SELECT {select} FROM "{name}"', conn)
        return frames
    finally:
        conn.close()
