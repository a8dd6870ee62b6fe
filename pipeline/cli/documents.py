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
from pipeline.formats import DOC_SUFFIXES
from pipeline.limits import DEFAULT_MAX_SIZE, DEFAULT_TIMEOUT_S

if TYPE_CHECKING:
    from pipeline.report import Report


def _fail_line(path: Path | str, reason: str) -> None:
    """One line, whatever the reason holds (libraries' messages can carry newlines)."""
    typer.echo(f"{path}: {' '.join(reason.split())}", err=True)


def _inputs(paths: list[Path], recursive: bool) -> list[tuple[Path, Path]]:
    """(file, its path relative to the output dir) for every input; directories expand to documents."""
    out: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            if not recursive:
                _fail_line(path, "is a directory (use --recursive)")
                continue
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in DOC_SUFFIXES and not child.name.endswith(".json"):
                    rel = child.relative_to(path)
                    out.append((child, rel.with_name(rel.name + ".json")))
        else:
            out.append((path, Path(path.name + ".json")))
    return out


def _write_atomically(target: Path, text: str) -> None:
    """Write via a temporary file and a rename, so that a full disk never leaves half a report."""
    import os

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def convert(
    files: Annotated[list[Path], typer.Argument(help="documents (or directories with --recursive)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output directory")] = Path("out"),
    stdout: Annotated[bool, typer.Option("--stdout", help="print the report of a single file")] = False,
    recursive: Annotated[bool, typer.Option("-r", "--recursive", help="descend into directories")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="print a table of what was converted")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="tracebacks for unexpected errors")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds per document (0: no limit)")] =
        DEFAULT_TIMEOUT_S,
    max_size: Annotated[str, typer.Option("--max-size", help="refuse larger files (100MB, 512k...)")] =
        DEFAULT_MAX_SIZE,
    engine: Engine = None,
    parser: Parser = None,
) -> None:
    """Convert documents into report JSON: OUT/<input file name>.json, one per input."""
    from pipeline import convert as convert_one
    from pipeline.cli.batch import parse_size
    from pipeline.errors import DocumentTimeout
    from pipeline.limits import time_limit

    max_bytes = parse_size(max_size)
    options = extract_options(engine, parser)
    inputs = _inputs(files, recursive or any(f.is_dir() for f in files))
    if stdout and len(inputs) != 1:
        _fail_line("--stdout", "needs exactly one input file")
        raise typer.Exit(2)
    failed = 0
    rows: list[tuple[str, Report | None, str | None]] = []
    for path, rel in inputs:
        try:
            with time_limit(timeout):
                report = convert_one(path, max_bytes=max_bytes, options=options)
        except (NianbaoError, DocumentTimeout) as exc:
            failed += 1
            _fail_line(path, str(exc))
            rows.append((str(path), None, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug must still not stop the other files
            failed += 1
            _fail_line(path, f"internal error: {type(exc).__name__}: {exc}")
            if verbose:
                raise
            rows.append((str(path), None, f"internal error: {exc}"))
            continue
        if stdout:
            sys.stdout.write(report.to_json() + "\n")
        else:
            target = out / rel
            try:
                _write_atomically(target, report.to_json())
            except OSError as exc:
                failed += 1
                _fail_line(path, f"cannot write {target}: {exc.strerror or exc}")
                rows.append((str(path), None, f"cannot write {target}"))
                continue
        rows.append((str(path), report, None))
    if summary:
        from pipeline.cli.summary import print_summary

        print_summary(rows)
    if not inputs:
        _fail_line(" ".join(map(str, files)), "no documents found")
    raise typer.Exit(1 if failed or not inputs else 0)


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
        doc = extract_one(file, options=options)
    except NianbaoError as exc:
        _fail_line(file, str(exc))
        raise typer.Exit(1) from None
    if show:
        from pipeline.inspection.show import show_document

        show_document(doc)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(doc.to_json(), encoding="utf-8")
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
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report.to_json(), encoding="utf-8")
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
