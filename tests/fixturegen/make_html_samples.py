"""Write samples/html: three generated pages (GBK portal, Word HTML, LibreOffice 2019) and the real
Shanghai fragment, each with its truth.

    python -m tests.fixturegen.make_html_samples   (from the project root; needs ../shared for html_01
                                                    and soffice for the LibreOffice page)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.fixturegen import html_builder as hb
from tests.fixturegen import make_report

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "corpus" / "real" / "html_01_shanghai_bgt2019_fragment.html"
OUT = ROOT / "samples" / "html"


def truth_of(spec) -> dict:
    return {"template": spec.template, "year": spec.year, "agency": spec.agency, "published": spec.published,
            "fields": spec.values, "expect_failing_checks": spec.expect_failing}


def write(stem: str, suffix: str, data: bytes, truth: dict) -> None:
    (OUT / f"{stem}{suffix}").write_bytes(data)
    (OUT / f"{stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # a GBK portal page declaring gb2312 while its agency name needs GBK (镕 is not in GB2312)
    spec = make_report("2021", seed=21, agency="镕城镇人民政府", year=2023, nulls=5)
    page = hb.portal_page(spec, seed=21, charset="gb2312", nested=True, extra_paragraph="联系人：王堃。")
    write("portal_gbk_2021_rongcheng", ".html", page.encode("gbk"), truth_of(spec))
    # Microsoft Word "Save as Web Page" (gb2312 declared, mso styles, conditional comments)
    spec = make_report("2021", seed=22, agency="白桦县交通运输局", year=2024)
    write("word_2021_baihua", ".htm", hb.word_html(spec, seed=22).encode("gbk"), truth_of(spec))
    # LibreOffice's HTML export of a python-docx 2019-template report
    spec = make_report("2019", seed=23, agency="抚松县松江河镇人民政府", year=2020)
    write("libreoffice_2019_songjianghe", ".html", hb.libreoffice_html(spec), truth_of(spec))
    # the real Shanghai fragment: every value read off its tables by hand; blanks are null
    if REAL.is_file():
        shutil.copyfile(REAL, OUT / "real_shanghai_bgt2019_fragment.html")
        print("real_shanghai_bgt2019_fragment.truth.json is maintained by hand")


if __name__ == "__main__":
    main()
