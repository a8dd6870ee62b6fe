"""The intermediate form: what every extractor emits and all the normaliser reads.

One document = its source, then every paragraph and table in reading order. A table is a grid of
cells; a merged cell appears once, at its top-left position, with its rowspan and colspan. The
normaliser never opens the source file, so anything it needs (page, bbox, metadata) must be here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

INTERMEDIATE_SCHEMA: Final = "nianbao.intermediate/2"
# /2 added Source.attachment; a /1 document is a valid /2 one and is still read
READ_SCHEMAS = Literal["nianbao.intermediate/2", "nianbao.intermediate/1"]

BBox = tuple[float, float, float, float]


class Source(BaseModel):
    """Where the document came from and who read it."""

    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str
    size: int
    format: str = Field(description="detected format: txt, docx, doc, wps, rtf, odt, pdf, html, mhtml")
    extractor: str
    extractor_version: str
    pages: int | None = None
    metadata: dict[str, str] = Field(
        default_factory=dict, description="document metadata the format carries (title, author, dates)"
    )
    attachment: Source | None = Field(
        None, description="the attachment a saved page links and whose content this is (the page itself is "
                          "path/sha256/format; its metadata fills what the attachment's lacks)")

    @classmethod
    def describe(cls, path: Path, data: bytes, fmt: str, extractor: str, version: str, **kw) -> Source:
        return cls(
            path=str(path),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            format=fmt,
            extractor=extractor,
            extractor_version=version,
            **kw,
        )


class Cell(BaseModel):
    """One grid cell, placed at its top-left position."""

    model_config = ConfigDict(extra="forbid")

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str
    page: int | None = None
    bbox: BBox | None = None


class Paragraph(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["paragraph"] = "paragraph"
    text: str
    heading: int | None = Field(None, description="heading level when the source marks one")
    page: int | None = None


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["table"] = "table"
    n_rows: int
    n_cols: int
    cells: list[Cell]
    page: int | None = Field(None, description="page the table starts on")

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, each row sorted by column."""
        grouped: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            if 0 <= cell.row < self.n_rows:
                grouped[cell.row].append(cell)
        for row in grouped:
            row.sort(key=lambda c: c.col)
        return grouped


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class Warning(BaseModel):  # noqa: A001 - the extractor's own word for it
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    page: int | None = None


class Document(BaseModel):
    """One source file as an extractor read it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: READ_SCHEMAS = Field(INTERMEDIATE_SCHEMA, alias="schema")
    source: Source
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)

    def to_json(self, indent: int | None = 1) -> str:
        return self.model_dump_json(by_alias=True, indent=indent, exclude_none=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Document:
        return cls.model_validate_json(text)


def table_from_cells(cells: list[Cell], page: int | None = None) -> Table:
    """A Table sized to hold its cells."""
    n_rows = max((c.row + c.rowspan for c in cells), default=0)
    n_cols = max((c.col + c.colspan for c in cells), default=0)
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells, page=page)
