"""The `nianbao` command line: wiring only — extractors, normaliser and writers do the work.

Each command group lives in its own module (documents, batch, inspection) and imports its heavy
modules inside the command, so that `nianbao --help` starts fast.
"""

from __future__ import annotations

import typer

from pipeline.cli import batch, documents, inspection

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn 政府信息公开工作年度报告 (DOCX, DOC/WPS, PDF, HTML, text) into checked, structured data.")

for command in (documents.convert, documents.extract, documents.normalise, documents.schema, batch.batch, batch.audit,
                inspection.explain, inspection.diff, inspection.debug, inspection.review):
    app.command()(command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
