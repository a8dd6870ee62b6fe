"""Write samples/txt: the five seeds and generated reports in every text layout, each with its truth.

    python -m tests.fixturegen.make_text_samples   (from the project root; needs ../shared for the seeds)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "samples" / "txt"

# (file stem, layout, template, options)
GENERATED = [
    ("tsv_2021_huashu", "tsv", "2021", {"agency": "临江市桦树镇人民政府", "seed": 11}),
    ("tika_2021_jinhua", "tika", "2021", {"agency": "长白朝鲜族自治县金华乡人民政府", "seed": 12}),
    ("pipe_2021_dazhai", "pipe", "2021", {"agency": "大寨乡人民政府", "seed": 13, "year": 2024}),
    ("mdtable_2019_songjianghe", "mdtable", "2019", {"agency": "抚松县松江河镇人民政府", "seed": 14, "year": 2020}),
    ("mdpdf_2019_fengxian", "mdpdf", "2019", {"agency": "宝鸡市凤县人民政府", "seed": 15, "year": 2019}),
    ("tsv_2021_mixed_hongze", "tsv", "2021", {"agency": "淮安市洪泽区人民政府", "seed": 16, "mixed": True}),
    ("pipe_2021_broken_balance", "pipe", "2021", {"agency": "天等县交通运输局", "seed": 17, "break_rule": "balance"}),
    ("tika_2021_broken_review", "tika", "2021", {"agency": "杨凌示范区审计局", "seed": 18, "year": 2022,
                                                 "break_rule": "review_total", "nulls": 4}),
]


def truth_of(spec) -> dict:
    return {"template": spec.template, "year": spec.year, "agency": spec.agency, "published": spec.published,
            "fields": spec.values, "expect_failing_checks": spec.expect_failing}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed_file in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed_file, OUT / seed_file.name)
        expected = json.loads((SEEDS / "expected" / f"{seed_file.stem}.json").read_text(encoding="utf-8"))
        truth = {k: expected[k] for k in ("template", "year", "agency", "published", "fields")}
        truth["expect_failing_checks"] = []
        (OUT / f"{seed_file.stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                          encoding="utf-8")
    for stem, layout, template, options in GENERATED:
        spec = make_report(template, **options)
        suffix = ".md" if layout.startswith("md") else ".txt"
        (OUT / f"{stem}{suffix}").write_text(render_text(spec, layout), encoding="utf-8")
        (OUT / f"{stem}.truth.json").write_text(json.dumps(truth_of(spec), ensure_ascii=False, indent=1),
                                                encoding="utf-8")


if __name__ == "__main__":
    main()
