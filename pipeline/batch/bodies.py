"""Bodies a document leaves open, settled by the rest of the job.

A report may name its body without its county (`东岭乡人民政府`): the gazetteer then knows several
places of that name, or one that another report of the job contradicts. The job knows more: another
report names the same body in full (`彭阳县东岭乡人民政府`), the file sits in a folder named after its
county, or the page comes from a portal whose other reports all lie in one county. Each settled body
gets an issue `body_inferred` saying where its place came from; bodies the document placed by itself are
never changed. Runs after every batch, before the cross-year check (which joins on the body's id).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipeline.bodies import BodyReading, body_from_name, fold
from pipeline.gazetteer import Division, gazetteer


@dataclass
class _Row:
    report_id: int
    name: str
    region_code: str | None
    body_id: str | None
    source: str | None
    path: str
    site: str | None


def _open(row: _Row) -> bool:
    """A body whose place the document left open: unknown, or a township named without its county."""
    if row.source != "document":
        return row.region_code is None and row.source is None
    if row.region_code is None:
        return True
    chain = gazetteer().parse(row.name).chain
    return bool(chain) and chain[0].level == "township"


def _fuller_names(placed: list[_Row], wanted: set[str]) -> dict[str, dict[str, _Row]]:
    """Each wanted (folded) name -> the placed bodies whose fuller names end with it, by id:
    东岭乡人民政府 -> {640425:东岭乡人民政府: 彭阳县东岭乡人民政府}."""
    out: dict[str, dict[str, _Row]] = defaultdict(dict)
    for r in placed:
        if _open(r):
            continue
        name = fold(r.name)
        for start in range(1, len(name) - 2):
            if name[start:] in wanted:
                out[name[start:]].setdefault(r.body_id or "", r)
    return out


def _from_other_reports(row: _Row, fuller: dict[str, dict[str, _Row]]) -> tuple[BodyReading, str] | None:
    """The one body of the job whose fuller name ends with this one."""
    found = fuller.get(fold(row.name), {})
    if len(found) != 1:
        return None
    other = next(iter(found.values()))
    return body_from_name(other.name), f"{other.name} in {other.path}"


def _folder_places(path: str) -> list[tuple[Division, str]]:
    """Divisions the folders of a path name, the nearest folder first."""
    gz = gazetteer()
    out: list[tuple[Division | None, str]] = []
    for part in reversed(PurePosixPath(path).parent.parts):
        parse = gz.parse(part)
        if parse.chain:
            out.append((parse.chain[-1], part))
        elif found := gz.find_inside(part):
            out.append((found[1].chain[-1], part) if found[1].chain else (None, part))
    return [(d, part) for d, part in out if d is not None]


def _from_folder(row: _Row) -> tuple[BodyReading, str] | None:
    for division, part in _folder_places(row.path):
        body = body_from_name(row.name, [division], "folder")
        if body.region_code and body.region_code != row.region_code:
            return body, f"the folder {part}"
    return None


def _site_places(placed: list[_Row]) -> dict[str, Division]:
    """site -> the one county (or city) every placed body of that portal lies in."""
    gz = gazetteer()
    by_site: dict[str, set[str]] = defaultdict(set)
    for r in placed:
        if r.site and r.region_code and not _open(r):
            lineage = gz.lineage(gz.code(r.region_code))
            above = [d for d in lineage if d.level in ("county", "city")]
            by_site[r.site].add(above[-1].code if above else "")
    return {site: gz.code(codes.pop()) for site, codes in by_site.items() if len(codes) == 1 and "" not in codes}


def _from_site(row: _Row, sites: dict[str, Division]) -> tuple[BodyReading, str] | None:
    division = sites.get(row.site or "")
    if division is None:
        return None
    body = body_from_name(row.name, [division], "site")
    if body.region_code and body.region_code != row.region_code:
        return body, f"the portal {row.site}, whose other reports lie in {division.name}"
    return None


def fill_bodies(conn: sqlite3.Connection, update) -> int:
    """Settle open bodies; `update(report_id, body fields, source, report JSON)` writes one. Returns how many."""
    rows = [_Row(*r) for r in conn.execute(
        "SELECT r.id, r.body_name, r.region_code, r.body_id, r.body_source, d.path, r.site FROM reports r "
        "JOIN documents d ON d.report_id = r.id WHERE r.body_name IS NOT NULL ORDER BY d.path, d.member")]
    placed = [r for r in rows if r.source == "document"]
    unsettled = [r for r in rows if _open(r)]
    sites = _site_places(placed)
    fuller = _fuller_names(placed, {fold(r.name) for r in unsettled})
    n = 0
    for row in unsettled:
        found = _from_other_reports(row, fuller) or _from_folder(row) or _from_site(row, sites)
        if found is None:
            continue
        body, how = found
        if body.id == row.body_id:
            continue
        message = f"the body's place {body.region_code} was inferred from {how}"
        (text,) = conn.execute("SELECT json FROM reports WHERE id=?", (row.report_id,)).fetchone()
        report = json.loads(text)
        report["report"]["body"] = body.fields()
        report["issues"].append({"level": "info", "code": "body_inferred", "field": None, "message": message})
        update(row.report_id, body.fields(), message, json.dumps(report, ensure_ascii=False))
        n += 1
    return n
