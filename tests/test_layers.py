"""The import layers, enforced: data flows file -> extractors -> intermediate -> normalise -> report.

- extractors see only the shared contracts at the top of pipeline/ (never the normaliser, batch,
  inspection or the CLI);
- the shared contracts see nothing above them (pipeline/__init__'s `convert` is the one façade);
- the normaliser sees no extractor and nothing of batch, inspection or the CLI;
- batch reaches the extractors and the normaliser only through its task module (the template's
  structure, pipeline.normalise.template, is a description every room may read);
- inspection never reaches into batch or the CLI;
- the one options object (pipeline.settings) nests each extractor's typed settings (extractors/*/settings.py),
  which are leaves: they import nothing of the project.
Every import counts, including those inside functions (they are how heavy modules load lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = {"pipeline.errors", "pipeline.limits", "pipeline.intermediate", "pipeline.report", "pipeline.fields",
             "pipeline.legacy_fields", "pipeline.series",
             "pipeline.schemas", "pipeline.settings", "pipeline.formats", "pipeline.gazetteer",
             "pipeline.bodies", "pipeline.finding_codes"}
READ_ANYWHERE = {"pipeline.normalise.template"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every project module this file imports (absolute names), at any depth of the code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("pipeline", "extractors")}


def _modules() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for top in ("pipeline", "extractors") for p in (ROOT / top).rglob("*.py")}


def _real(imported: str, modules: dict[str, set[str]]) -> str | None:
    """The project module an import names (`from pipeline.x import name` also yields `pipeline.x.name`)."""
    return imported if imported in modules else None


def _within(name: str, room: str) -> bool:
    return name == room or name.startswith(room + ".")


def _is_settings_leaf(name: str) -> bool:
    return _within(name, "extractors") and name.endswith(".settings")


def _allowed(importer: str, imported: str) -> bool:
    if importer == "pipeline.settings" and _is_settings_leaf(imported):
        return True
    if _is_settings_leaf(importer):
        return False
    if imported in CONTRACTS or imported in READ_ANYWHERE or imported == "pipeline":
        return not (importer in CONTRACTS and imported == "pipeline")
    if _within(importer, "extractors"):
        return _within(imported, "extractors")
    if importer in CONTRACTS:
        return False
    if importer == "pipeline":  # the public façade: convert = extract + normalise
        return _within(imported, "extractors") or _within(imported, "pipeline.normalise")
    if _within(importer, "pipeline.normalise"):
        return _within(imported, "pipeline.normalise")
    if _within(importer, "pipeline.batch"):
        if _within(imported, "extractors") or _within(imported, "pipeline.normalise"):
            return importer == "pipeline.batch.task"
        return _within(imported, "pipeline.batch")
    if _within(importer, "pipeline.inspection"):
        return not (_within(imported, "pipeline.batch") or _within(imported, "pipeline.cli"))
    return True  # the CLI wires everything


def test_every_import_respects_the_layers() -> None:
    modules = _modules()
    broken = sorted(
        f"{importer} imports {real}"
        for importer, imported in modules.items()
        for name in imported
        if (real := _real(name, modules)) is not None and not _allowed(importer, real)
    )
    assert broken == []


def test_there_is_no_import_cycle() -> None:
    modules = _modules()
    graph = {m: {r for n in deps if (r := _real(n, modules)) and r != m} for m, deps in modules.items()}
    # a package imports its own submodules by design; a cycle through its __init__ is not one
    for m, deps in graph.items():
        graph[m] = {d for d in deps if not _within(m, d)}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_layer_rules_can_fail() -> None:
    assert not _allowed("extractors.pdf", "pipeline.normalise.values")
    assert not _allowed("pipeline.normalise.tables", "extractors.text")
    assert not _allowed("pipeline.batch.job", "extractors")
    assert _allowed("pipeline.batch.task", "extractors")
    assert not _allowed("pipeline.intermediate", "pipeline.normalise")
    assert not _allowed("pipeline.inspection.explain", "pipeline.batch.store")
    assert _allowed("pipeline.settings", "extractors.pdf.settings")
    assert not _allowed("pipeline.settings", "extractors.pdf")
    assert not _allowed("extractors.pdf.settings", "pipeline.errors")
