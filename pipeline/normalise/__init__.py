"""The normaliser: intermediate form -> standard report. It knows the schema and nothing of formats.

`normalise(document)` is the one entry point; the modules beside it each hold one idea: the label
table (labels), the template's structure (template), reading tables as a row stream (tables), cell
values (values), run-together crawler text (unglue), sections, metadata and the arithmetic checks.
"""

from pipeline.normalise.normaliser import normalise

__all__ = ["normalise"]
