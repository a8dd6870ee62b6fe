"""Does a piece of text look like a table value? A layout hint, not the value rule: the normaliser decides.

Extractors group lines into rows, split cell streams and pick out a page's data tables, and for that
they need a cheap guess at "this is a number" before any cell exists. The value rule itself (what a
cell means: null tokens, units, signs, annotations) is `pipeline.normalise.values.parse_cell`, and
extractors may not import the normaliser. The guess need not agree with it exactly: a wrong guess
only moves a cell boundary or a table's weight, and every cell's text still reaches the normaliser
verbatim, where parse_cell reads it. So the guess stays here, one grammar for every extractor, and the
value grammar stays in the normaliser, not in a contract module.
"""

from __future__ import annotations

import re

# a signed number (减/增 as written in 本年增/减), thousands commas (also full-width), one decimal
# point, and a unit; a date (2024.1.5), a list number (1.) or a page number (- 3 -) is not one
_NUMERIC = re.compile(r"^[-+－—−减增]?\s*\d[\d,，]*(?:\.\d+)?\s*(?:万元|元|%|件|条|个)?$")
# what a report writes in a cell that has no value; the normaliser's NULL_TOKENS are the authority
BLANK_TOKENS = frozenset({"/", "／", "—", "——", "-", "－", "无", "不涉及"})


def looks_numeric(text: str) -> bool:
    """A number, perhaps signed, perhaps with a unit: `12`, `1,234`, `-3`, `减3`, `160.5万元`, `5%`."""
    return bool(_NUMERIC.match(text.strip()))


def looks_like_value(text: str) -> bool:
    """A number or a no-value token (`/`, `—`, `无`, empty): a table's value cell rather than a label."""
    t = text.strip()
    return not t or t in BLANK_TOKENS or looks_numeric(t)
