"""The extraction flags shared by convert, extract, batch and debug: the environment first, then these.

Each command builds one pipeline.settings.ExtractOptions and passes it on; nothing below the command
line reads NIANBAO_* variables except ExtractOptions.from_env.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

Engine = Annotated[str | None, typer.Option(
    "--engine", help="PDF table engine: pdfplumber or camelot (default: $NIANBAO_PDF_ENGINE, else pdfplumber)")]
Parser = Annotated[str | None, typer.Option(
    "--parser", help="PDF parser: pdfium or pdfminer (default: $NIANBAO_PDF_PARSER, else pdfium)")]


def extract_options(engine: str | None = None, parser: str | None = None) -> ExtractOptions:
    """NIANBAO_* variables overridden by the flags given; a flag naming nothing known exits with status 2."""
    from pipeline.settings import ExtractOptions

    flags = {"--engine": engine, "--parser": parser}
    try:
        return ExtractOptions.from_env(pdf_engine=_word(engine), pdf_parser=_word(parser))
    except ValueError as exc:
        given = " ".join(f"{flag} {value}" for flag, value in flags.items() if value is not None)
        typer.echo(f"{given}: {exc}", err=True)
        raise typer.Exit(2) from None


def _word(value: str | None) -> str | None:
    return value.strip().lower() if value is not None else None
