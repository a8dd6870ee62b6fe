"""`nianbao batch`: the command-line face of pipeline.batch.job (registered by pipeline.cli).

Only typer is imported at module level; the batch machinery loads when the command runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import Engine, Parser, extract_options
from pipeline.limits import DEFAULT_MAX_SIZE


def parse_size(text: str) -> int:
    """'100MB', '512k', '2000' -> bytes (pipeline.limits.parse_size, as a CLI error)."""
    from pipeline.limits import parse_size as to_bytes

    try:
        return to_bytes(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def batch(
    inputs: Annotated[list[Path] | None, typer.Argument(help="files, directories (recursive) and .zip archives")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="job directory (database, cache, exports)")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="worker processes (0: in this process)")] =
        os.cpu_count() or 1,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds per document before its worker is killed")] = 120.0,
    max_size: Annotated[str, typer.Option("--max-size", help="refuse files and archive members larger than this")] =
        DEFAULT_MAX_SIZE,
    max_ratio: Annotated[float, typer.Option("--max-ratio", help="refuse archive members inflating more than this")] =
        100.0,
    renormalise: Annotated[bool, typer.Option("--renormalise", help="re-run only the normaliser on the cached "
                                              "intermediate JSON of a job (no extraction)")] = False,
    status: Annotated[Path | None, typer.Option("--status", help="summarise the job in this directory and exit")] =
        None,
    executor: Annotated[str, typer.Option("--executor", help="local (process pool) or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="dask scheduler, tcp://HOST:PORT")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="show the progress bar")] = True,
    engine: Engine = None,
    parser: Parser = None,
) -> None:
    """Convert many documents into a resumable job: DIR/nianbao.sqlite, reports.jsonl and CSVs."""
    from pipeline.errors import NianbaoError

    if status is not None:
        import sqlite3

        from pipeline.batch.summary import print_summary

        db = status / "nianbao.sqlite"
        if not db.exists():
            typer.echo(f"{status}: no batch job here (no nianbao.sqlite)", err=True)
            raise typer.Exit(1)
        try:
            print_summary(db)
        except sqlite3.Error as exc:
            typer.echo(f"{db}: cannot read the job database: {exc}", err=True)
            raise typer.Exit(1) from None
        return
    if out is None:
        typer.echo("--out: a job directory is needed", err=True)
        raise typer.Exit(2)
    if not inputs and not renormalise:
        typer.echo("no inputs: give files, directories or .zip archives (or --renormalise)", err=True)
        raise typer.Exit(2)
    if executor not in ("local", "dask"):
        typer.echo(f"--executor: {executor!r} is neither local nor dask", err=True)
        raise typer.Exit(2)
    if executor == "dask" and not scheduler:
        typer.echo("--executor dask needs --scheduler tcp://HOST:PORT", err=True)
        raise typer.Exit(2)

    from pipeline.batch.job import BatchOptions, InputError, run_batch
    from pipeline.batch.summary import failures, print_summary

    opts = BatchOptions(out=out, workers=workers, timeout=timeout, max_size=parse_size(max_size),
                        max_ratio=max_ratio, executor=executor, scheduler=scheduler, progress=progress,
                        extract=extract_options(engine, parser))
    counts: dict[str, int] = {}
    try:
        db = run_batch(list(inputs or []), opts, renormalise=renormalise, counts=counts)
    except InputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except NianbaoError as exc:
        typer.echo(f"nianbao batch: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo(f"interrupted; run the same command again to resume ({out})", err=True)
        raise typer.Exit(130) from None
    print_summary(db)
    done = "renormalised" if renormalise else "converted"
    dropped = counts.get("dropped", 0)
    typer.echo(f"this run: {counts.get('recorded', 0)} documents {done}, {counts.get('skipped', 0)} already done"
               + (f", {dropped} of earlier runs dropped (not among these inputs)" if dropped else "")
               + f"; {db}, reports.jsonl, values_long.csv, reports_wide.csv, growth.csv, panel.csv, "
               f"legacy_continuity.csv, audit.csv, nianbao.xlsx in {out}")
    failed = failures(db)
    if failed:
        typer.echo("nianbao batch: " + ", ".join(f"{n} {status}" for status, n in failed.items())
                   + " (inputs that could not be read, or a bug of ours: see the summary)", err=True)
        raise typer.Exit(1)


def audit(
    job: Annotated[Path, typer.Argument(help="a batch job directory (nianbao batch -o JOB)")],
    summary: Annotated[bool, typer.Option("--summary", help="print a table per body of its findings, worst first")]
        = False,
) -> None:
    """What a disclosure office checks beyond the arithmetic: JOB/audit.csv, one row per finding (also the 发现
    sheet of JOB/nianbao.xlsx and the review site's pages)."""
    import sqlite3

    db = job / "nianbao.sqlite"
    if not db.exists():
        typer.echo(f"{job}: no batch job here (no nianbao.sqlite)", err=True)
        raise typer.Exit(1)
    from pipeline.batch.audit import SEVERITY, audit_job
    from pipeline.batch.workbook import WORKBOOK_NAME, write_workbook

    try:
        findings = audit_job(job)
        write_workbook(db, job / WORKBOOK_NAME)
    except (sqlite3.Error, OSError) as exc:
        typer.echo(f"{db}: cannot audit the job: {exc}", err=True)
        raise typer.Exit(1) from None
    if summary:
        from pipeline.batch.audit_summary import print_audit_summary

        print_audit_summary(findings)
    from pipeline.batch.audit import reports_predating_audit

    stale = reports_predating_audit(db)
    if stale:
        typer.echo(f"{stale} reports were normalised before the prose was read (no sections outline, no "
                   f"statements): run `nianbao batch -o {job} --renormalise` to audit them fully", err=True)
    counts = {code: sum(f.code == code for f in findings) for code in SEVERITY}
    typer.echo(f"{len(findings)} findings ({', '.join(f'{c} {n}' for c, n in counts.items() if n) or 'none'}); "
               f"{job / 'audit.csv'}, {job / WORKBOOK_NAME}")
