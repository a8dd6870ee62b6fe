"""Write samples/docx: generated reports as DOCX (and one .doc via LibreOffice), each with its truth.

    python -m tests.fixturegen.make_docx_samples   (from the project root; the .doc needs soffice)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.fixturegen import make_report
from tests.fixturegen.docx_builder import build_docx

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "samples" / "docx"

# (file stem, template, make_report options, variants, saved as)
SAMPLES = [
    ("huashu_2021tpl", "2021", {"agency": "临江市桦树镇人民政府", "seed": 31}, (), "docx"),
    ("songjianghe_2019tpl", "2019", {"agency": "抚松县松江河镇人民政府", "seed": 32, "year": 2020}, (), "docx"),
    ("tangyuan_2021tpl_variants", "2021", {"agency": "汤原县民政局", "seed": 33, "year": 2024},
     ("vertical_header", "numbered_headings", "split_table3", "sdt_table", "nested_layout", "tracked_changes"),
     "docx"),
    ("jinhua_2021tpl", "2021", {"agency": "长白朝鲜族自治县金华乡人民政府", "seed": 34, "year": 2022},
     ("spaced_labels", "social_org", "table2_in_four"), "doc"),
]


def truth_of(spec) -> dict:
    return {"template": spec.template, "year": spec.year, "agency": spec.agency, "published": spec.published,
            "fields": spec.values, "expect_failing_checks": spec.expect_failing}


def to_doc(docx_path: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="nianbao-samples-") as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "doc", "--outdir", tmp, str(docx_path)],
                       check=True, capture_output=True, timeout=180)
        shutil.move(Path(tmp) / f"{docx_path.stem}.doc", out)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for stem, template, options, variants, fmt in SAMPLES:
        spec = make_report(template, **options)
        target = OUT / f"{stem}.{fmt}"
        if fmt == "docx":
            build_docx(spec, variants, target)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / f"{stem}.docx"
                build_docx(spec, variants, source)
                to_doc(source, target)
        (OUT / f"{stem}.truth.json").write_text(json.dumps(truth_of(spec), ensure_ascii=False, indent=1),
                                                encoding="utf-8")


if __name__ == "__main__":
    main()
