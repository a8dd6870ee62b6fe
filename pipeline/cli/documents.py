"""`nianbao convert`, `extract`, `normalise` and `schema`: one document at a time.

Heavy modules are imported inside the commands so that `nianbao --help` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.options import Engine, Parser, extract_options
from pipeline.errors import NianbaoError
from pipeline.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_SIZE, DEFAULT_TIMEOUT_S

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

if TYPE_CHECKING:
    from pipeline.report import Report


def _fail_line(path: Path | str, reason: str) -> None:
    """One line, whatever the reason holds (libraries' messages can carry newlines)."""
    typer.echo(f"{path}: {' '.join(reason.split())}", err=True)


def _write_atomically(target: Path, text: str) -> None:
    """Write via a temporary file and a rename, so that a full disk never leaves half a report.

    The temporary name is short: the target's own name may already be as long as a name can be.
    """
    import os

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".nianbao-{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_or_exit(target: Path, text: str) -> None:
    """Write one output file, or say in one line why not and exit 1."""
    try:
        _write_atomically(target, text)
    except OSError as exc:
        _fail_line(target, f"cannot write: {exc.strerror or exc}")
        raise typer.Exit(1) from None


def convert(
    files: Annotated[list[Path], typer.Argument(help="documents, directories, or - for standard input")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output directory")] = Path("out"),
    stdout: Annotated[bool, typer.Option("--stdout", help="print the report of a single file")] = False,
    recursive: Annotated[bool, typer.Option("-r", "--recursive", help="descend into directories")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="print a table of what was converted")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="tracebacks for unexpected errors")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds per document, reading included (0: no limit)")] =
        DEFAULT_TIMEOUT_S,
    max_size: Annotated[str, typer.Option("--max-size", help="read no more of any input (100MB, 512k...)")] =
        DEFAULT_MAX_SIZE,
    engine: Engine = None,
    parser: Parser = None,
) -> None:
    """Convert documents into report JSON: OUT/<input file name>.json, one per input, never one over another."""
    from pipeline.cli.batch import parse_size
    from pipeline.cli.inputs import collect

    max_bytes = parse_size(max_size)
    options = extract_options(engine, parser)
    found = collect(files, recursive or any(f.is_dir() for f in files))
    for directory in found.directories:
        _fail_line(directory, "is a directory (use --recursive)")
    if stdout and len(found.documents) != 1:
        _fail_line("--stdout", "needs exactly one input file")
        raise typer.Exit(2)
    rows = [_convert_one(item.path, None if stdout else out / item.name, max_bytes, timeout, verbose,
                        options)
            for item in found.documents]
    failed = sum(report is None for _, report, _ in rows)
    if found.not_documents:
        _report_not_documents(found.not_documents)
    if summary:
        from pipeline.cli.summary import print_summary

        print_summary(rows)
    if not found.documents:
        _fail_line(" ".join(map(str, files)), "no documents found")
    elif not stdout:
        written = len(rows) - failed
        typer.echo(f"{written} report{'s' * (written != 1)} written to {out}" + (f", {failed} failed" if failed else ""))
    raise typer.Exit(1 if failed or not found.documents else 0)


def _convert_one(path: Path, target: Path | None, max_bytes: int, timeout: float, verbose: bool,
                 options: ExtractOptions | None = None) -> tuple[str, Report | None, str | None]:
    """Convert one input and write its report to target (None: standard output); a summary row."""
    from pipeline import convert as convert_one
    from pipeline.errors import DocumentTimeout
    from pipeline.limits import time_limit

    try:
        with time_limit(timeout):
            report = convert_one(path, max_bytes=max_bytes, options=options)
    except (NianbaoError, DocumentTimeout) as exc:
        _fail_line(path, str(exc))
        return str(path), None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must still not stop the other files
        _fail_line(path, f"internal error: {type(exc).__name__}: {exc}")
        if verbose:
            raise
        return str(path), None, f"internal error: {exc}"
    if target is None:
        sys.stdout.write(report.to_json() + "\n")
        return str(path), report, None
    try:
        _write_atomically(target, report.to_json())
    except OSError as exc:
        _fail_line(path, f"cannot write {target}: {exc.strerror or exc}")
        return str(path), None, f"cannot write {target}: {exc.strerror or exc}"
    typer.echo(f"{path} -> {target}")
    return str(path), report, None


def _report_not_documents(paths: list[tuple[Path, str]], shown: int = 5) -> None:
    """One line: how many files were not documents, and the first few of them with why."""
    names = ", ".join(f"{p} ({why})" for p, why in paths[:shown])
    more = f", and {len(paths) - shown} more" if len(paths) > shown else ""
    plural = "s are" if len(paths) != 1 else " is"
    typer.echo(f"{len(paths)} file{plural} not {'documents' if len(paths) != 1 else 'a document'}: {names}{more}",
               err=True)


def extract(
    file: Annotated[Path, typer.Argument(help="a document")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="write the intermediate JSON here")] = None,
    show: Annotated[bool, typer.Option("--show", help="draw every block and table grid in the terminal")] = False,
    engine: Engine = None,
    parser: Parser = None,
) -> None:
    """Run only the extractor: the intermediate form (paragraphs and table grids) of one file."""
    from extractors import extract as extract_one

    options = extract_options(engine, parser)
    try:
        doc = extract_one(file, max_bytes=DEFAULT_MAX_BYTES, options=options)
    except NianbaoError as exc:
        _fail_line(file, str(exc))
        raise typer.Exit(1) from None
    if show:
        from pipeline.inspection.show import show_document

        show_document(doc)
    if out is not None:
        _write_or_exit(out, doc.to_json())
    elif not show:
        sys.stdout.write(doc.to_json() + "\n")


def normalise(
    intermediate: Annotated[Path, typer.Argument(help="an intermediate JSON written by `nianbao extract`")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="write the report JSON here")] = None,
) -> None:
    """Run only the normaliser on an intermediate JSON."""
    from pydantic import ValidationError

    from pipeline.intermediate import Document
    from pipeline.normalise import normalise as normalise_one

    try:
        doc = Document.from_json(intermediate.read_bytes())
        report = normalise_one(doc)
    except OSError as exc:
        _fail_line(intermediate, f"cannot read: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    except ValidationError as exc:
        _fail_line(intermediate, f"not an intermediate JSON ({exc.error_count()} schema errors)")
        raise typer.Exit(1) from None
    except NianbaoError as exc:
        _fail_line(intermediate, str(exc))
        raise typer.Exit(1) from None
    if out is not None:
        _write_or_exit(out, report.to_json())
    else:
        sys.stdout.write(report.to_json() + "\n")


def schema(which: Annotated[str, typer.Argument(help="report or intermediate")]) -> None:
    """Print the JSON Schema of the report or of the intermediate form."""
    import json

    from pipeline.schemas import json_schema

    try:
        sys.stdout.write(json.dumps(json_schema(which), ensure_ascii=False, indent=1) + "\n")
    except KeyError:
        _fail_line(which, "unknown schema (choose report or intermediate)")
        raise typer.Exit(2) from None
