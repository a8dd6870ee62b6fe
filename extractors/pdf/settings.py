"""The PDF extractor's tolerances, named: one frozen value passed down with the call.

Like pdfplumber's TableSettings: every number a person tuning an odd layout would touch has a name,
its default (the value the heuristics were tuned with on the corpus) and a line saying what it does;
`validate` refuses nonsense. Lengths are in PDF points (`_tolerance`), in ems of the local font size
(`_em`), or fractions of the page (`_ratio`). `nianbao debug` draws the stages these numbers steer.
Nothing here is read from the environment, and this module imports nothing (pipeline.settings holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PdfSettings:
    """Tolerances of PDF table finding, stitching, paragraphs, borderless tables and OCR."""

    # --- ruled tables: pdfplumber's TableFinder on the page's ruling edges (its own defaults)
    snap_tolerance: float = 3.0
    """Parallel ruling edges closer than this (pt) are snapped onto one line."""
    join_tolerance: float = 3.0
    """Collinear ruling edges with a gap up to this (pt) are joined into one."""
    edge_min_length: float = 3.0
    """Ruling edges shorter than this (pt, after joining) are dropped."""
    intersection_tolerance: float = 3.0
    """A horizontal and a vertical edge this close (pt) still intersect."""
    grid_tolerance: float = 3.5
    """Cell box edges closer than this (pt) are one grid line (columns and rows of a table)."""

    # --- tables across pages
    stitch_tolerance: float = 8.0
    """A ruled table continues on the next page when both outer edges move less than this (pt)."""
    stitch_borderless_tolerance: float = 12.0
    """A borderless table continues when its left edge moves less than this (pt); its right edge follows the numbers."""

    # --- text layer, lines, paragraphs, page furniture
    min_text_chars: int = 5
    """A page with fewer visible characters has no text layer (read by OCR when it holds a picture)."""
    garbled_ratio: float = 0.3
    """A page whose share of unreadable characters ((cid:N), unmapped codes, mojibake) exceeds this is OCRed."""
    column_gap_em: float = 6.0
    """Characters on one line more than this apart are two lines (text beside a table, two columns)."""
    para_right_em: float = 2.2
    """A line ending within this of the right margin is full: the paragraph may go on."""
    para_left_em: float = 1.0
    """A line starting within this of the left margin may continue the paragraph above it."""
    para_line_gap_em: float = 1.6
    """Lines further apart than this (between one's bottom and the next's top) are two paragraphs."""
    para_page_left_em: float = 2.5
    """Across a page break: the page's last line must start within this of the left margin (not a signature)."""
    header_margin_ratio: float = 0.08
    """Running headers and footers are looked for in this top and bottom share of the page height."""
    page_number_margin_ratio: float = 0.12
    """Page numbers ("- 3 -", "第3页") are dropped in this top and bottom share of the page height."""

    # --- borderless tables (word positions)
    word_gap_em: float = 1.2
    """A gap wider than this cuts a line into separate words (cells)."""
    region_gap_em: float = 3.2
    """Tabular lines further apart than this are separate tables."""
    number_column_ratio: float = 0.4
    """A lone number right of this share of the page width makes its line tabular."""
    value_pad_em: float = 0.3
    """Numbers whose boxes, widened by this on each side, overlap stand in one value column."""
    label_column_em: float = 1.0
    """Label lines starting within this of each other form one label column."""
    row_merge_em: float = 0.5
    """Row anchors (lines of numbers, labels) closer than this are one row."""

    # --- OCR of pages without a usable text layer
    ocr_dpi: int = 200
    """Resolution the page is rendered at for recognition."""
    ocr_detect_side: int = 1600
    """Pixels: the text detector sees the page at most this big (recognition keeps the full resolution)."""
    ocr_ink_level: int = 170
    """Grey levels below this are ink (ruling lines, characters)."""
    ocr_min_score: float = 0.5
    """Recognised text with a lower confidence is dropped."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError for a negative tolerance, a ratio over 1 or an unusable OCR setting."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"PDF setting {f.name!r} must be a number, not {value!r}")
            if f.type == "int" and not isinstance(value, int):
                raise ValueError(f"PDF setting {f.name!r} must be a whole number, not {value!r}")
            if value < 0:
                raise ValueError(f"PDF setting {f.name!r} cannot be negative ({value})")
            if f.name.endswith(("_ratio", "_score")) and value > 1:
                raise ValueError(f"PDF setting {f.name!r} is a fraction, at most 1 ({value})")
        if self.ocr_dpi < 1 or self.ocr_detect_side < 1 or self.ocr_ink_level > 255:
            raise ValueError("OCR settings: ocr_dpi and ocr_detect_side at least 1, ocr_ink_level at most 255")
