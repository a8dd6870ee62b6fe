"""Commands for looking at what the pipeline did: explain, diff, debug, review.

pipeline/cli.py registers the functions named here; each imports its heavy modules on use so that
`nianbao --help` stays fast. Failures are one line, `path: reason`, like the other commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import Engine, Parser, extract_options
from pipeline.errors import NianbaoError


def _fail(path: Path | str, reason: str, code: int = 1) -> typer.Exit:
    typer.echo(f"{path}: {reason}", err=True)
    return typer.Exit(code)


def _load(path: Path, code: int = 1):
    """(report, document or None) for a report JSON, an intermediate JSON or a document; Exit(code) on failure."""
    import json

    from pydantic import ValidationError

    from pipeline.inspection.explain import load_report

    try:
        return load_report(path)
    except NianbaoError as exc:
        raise _fail(path, str(exc), code) from None
    except OSError as exc:
        raise _fail(path, f"cannot read: {exc.strerror or exc}", code) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _fail(path, "not valid JSON", code) from None
    except ValidationError as exc:
        raise _fail(path, f"not a report or intermediate JSON ({exc.error_count()} schema errors)", code) from None


def explain(
    file: Annotated[Path, typer.Argument(help="a document, a report JSON or an intermediate JSON")],
    field: Annotated[str, typer.Argument(help="a field id, e.g. applications.new_received.total, or a row prefix")],
) -> None:
    """Why a field holds its value: raw cell, table/row/col/page/bbox, matched label, column, issues."""
    from rich.console import Console

    from pipeline.inspection.explain import explain as explain_field
    from pipeline.inspection.explain import explain_prefix, render

    report, doc = _load(file)
    console = Console()
    fields = [field] if field.count(".") == 2 else explain_prefix(report, field)
    if not fields:
        fields = [field]  # unknown: let explain say so and suggest
    for i, field_id in enumerate(fields):
        if i:
            console.rule()
        result = explain_field(report, doc, field_id)
        render(result, console)
        if not result.known:
            raise typer.Exit(2)


def diff(
    a: Annotated[Path, typer.Argument(help="first report (report JSON, intermediate JSON or document)")],
    b: Annotated[Path, typer.Argument(help="second report")],
    as_json: Annotated[bool, typer.Option("--json", help="the differences as JSON")] = False,
) -> None:
    """Two reports field by field: only what differs. Exit 0 when the same, 1 when they differ, 2 on error."""
    import json
    import sys

    from pipeline.inspection.diff import diff_reports, render, to_json

    report_a, _ = _load(a, code=2)
    report_b, _ = _load(b, code=2)
    name_a, name_b = (a.name, b.name) if a.name != b.name else (str(a), str(b))
    result = diff_reports(report_a, report_b)
    if as_json:
        sys.stdout.write(json.dumps(to_json(result, str(a), str(b)), ensure_ascii=False, indent=1) + "\n")
    else:
        render(result, name_a, name_b)
    raise typer.Exit(1 if result.differences else 0)


def debug(
    file: Annotated[Path, typer.Argument(help="a PDF")],
    out: Annotated[Path, typer.Option("-o", "--out", help="directory for the PNGs")] = Path("debug"),
    pages: Annotated[str | None, typer.Option("--pages", help="pages to draw, e.g. 3,4 or 2-5 (1-based)")] = None,
    engine: Engine = None,
    resolution: Annotated[int, typer.Option("--resolution", help="pixels per inch")] = 100,
    parser: Parser = None,
) -> None:
    """Draw each page with a table as PNG: the extractor's own stages (ruling edges and found cells, or the
    borderless words, columns and rows) and the cells it emitted with their row,col."""
    from pipeline.inspection.debug_pdf import camelot_available, debug_pdf, parse_pages

    options = extract_options(engine, parser)
    if options.pdf_engine == "camelot" and not camelot_available():
        raise _fail(file, "camelot is not installed (pip install 'nianbao[camelot]'); use --engine pdfplumber")
    try:
        wanted = parse_pages(pages)
    except ValueError:
        raise _fail(pages or "", "bad --pages (use e.g. 3,4 or 2-5)", 2) from None
    if not file.is_file():
        raise _fail(file, "no such file")
    if not file.read_bytes()[:1024].lstrip().startswith(b"%PDF") and b"%PDF-" not in file.read_bytes()[:1024]:
        raise _fail(file, "not a PDF")
    try:
        results = debug_pdf(file, out, wanted, options, resolution)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        raise _fail(file, f"cannot render: {type(exc).__name__}: {exc}") from None
    if not results:
        typer.echo(f"{file}: no page with a table" + (" among the pages asked for" if wanted else ""))
    for r in results:
        typer.echo(f"page {r.number}: {r.tables_found} table(s) found, {r.cells_extracted} cells extracted -> {r.png}")


def review(
    directory: Annotated[Path, typer.Argument(help="a batch output directory (holds nianbao.sqlite)")],
    db: Annotated[Path | None, typer.Option("--db", help="the batch database, if not DIR/nianbao.sqlite")] = None,
) -> None:
    """Write a static review site (DIR/review/index.html): every document, and one page per report."""
    from pipeline.inspection.review.site import ReviewError, build_site

    try:
        index = build_site(directory, db)
    except ReviewError as exc:
        raise _fail(directory, str(exc)) from None
    except OSError as exc:  # a read-only job, a full disk: the site cannot be written
        where = f" {exc.filename}" if exc.filename else ""
        raise _fail(directory, f"cannot write the review site{where}: {exc.strerror or exc}") from None
    typer.echo(f"review site: {index}")
