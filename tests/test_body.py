"""report.body: the gazetteer, names to bodies, the fullest name a document gives, and the batch's fill."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline import convert
from pipeline.batch.job import BatchOptions, run_batch
from pipeline.bodies import body_from_name
from pipeline.gazetteer import gazetteer
from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
HONGZE = {"name": "淮安市洪泽区人民政府", "region_code": "320813", "region": ["江苏省", "淮安市", "洪泽区"],
          "level": "county", "kind": "government", "id": "320813:人民政府"}
PINGTAN = {"name": "平潭综合实验区管委会", "region_code": "350128", "region": ["福建省", "福州市", "平潭县"],
           "level": "county", "kind": "government", "id": "350128:人民政府"}


@pytest.mark.parametrize(("name", "code", "level", "kind", "body_id"), [
    ("淮安市洪泽区人民政府", "320813", "county", "government", "320813:人民政府"),
    ("洪泽区人民政府", "320813", "county", "government", "320813:人民政府"),
    ("淮安市人民政府", "320800", "city", "government", "320800:人民政府"),
    ("江苏省统计局", "320000", "province", "department", "320000:统计局"),
    ("平潭综合实验区", "350128", "county", "government", "350128:人民政府"),
    ("杨凌示范区审计局", "610403", "county", "department", "610403:审计局"),
    ("广州市海珠区官洲街道办事处", "440105018", "township", "government", "440105018:人民政府"),
    ("宁陕县梅子镇人民政府", "610923111", "township", "government", "610923111:人民政府"),
    ("武汉市汉阳区政府办公室", "420105", "county", "department", "420105:人民政府办公室"),
    ("武汉市汉阳区人民政府办公室", "420105", "county", "department", "420105:人民政府办公室"),
    ("滦南县住房和城乡建设局", "130224", "county", "department", "130224:住房和城乡建设局"),
    # a township the gazetteer does not hold under its county keeps the county's code and its own name
    ("桐梓县汀祖镇人民政府", "520322", "township", "government", "520322:汀祖镇人民政府"),
    ("湛江经济技术开发区公安局", "440800", "city", "department", "440800:公安局"),
])
def test_a_name_gives_its_body(name: str, code: str, level: str, kind: str, body_id: str) -> None:
    body = body_from_name(name)
    assert (body.name, body.region_code, body.level, body.kind, body.id) == (name, code, level, kind, body_id)


def test_an_ambiguous_or_placeless_name_keeps_its_place_open() -> None:
    assert body_from_name("梅子镇人民政府").fields() == {
        "name": "梅子镇人民政府", "region_code": None, "region": None, "level": "township", "kind": "government",
        "id": "梅子镇人民政府"}
    assert body_from_name("区统计局").fields() == {
        "name": "区统计局", "region_code": None, "region": None, "level": None, "kind": "department",
        "id": "区统计局"}
    assert body_from_name(None).fields() == dict.fromkeys(("name", "region_code", "region", "level", "kind", "id"))


def test_a_zone_body_is_placed_by_the_division_inside_its_name() -> None:
    body = body_from_name("西咸新区底张街道办事处")
    assert (body.region_code, body.region, body.id) == (
        "610404009", ["陕西省", "咸阳市", "渭城区", "底张街道"], "610404009:人民政府")
    assert body.inferred == "the body's name holds 底张街道 after 西咸新区"


def test_the_gazetteer_reads_chains_inside_their_parents_only() -> None:
    gz = gazetteer()
    assert [d.code for d in gz.parse("南京市鼓楼区").chain] == ["320100", "320106"]
    assert [d.code for d in gz.parse("徐州市鼓楼区").chain] == ["320300", "320302"]
    assert gz.parse("鼓楼区人民政府").chain == []  # several 鼓楼区: none is guessed
    assert len(gz.parse("鼓楼区人民政府").ambiguous) >= 4
    assert [d.name for d in gz.lineage(gz.code("110101001"))] == ["北京市", "东城区", "东华门街道"]


def test_township_ends_cover_every_township_name() -> None:
    from importlib import resources

    from pipeline.gazetteer import MAX_NAME, TOWNSHIP_ENDS

    rows = [line.split("\t") for line in resources.files("pipeline").joinpath("data/townships.tsv")
            .read_text(encoding="utf-8").splitlines()[2:]]
    assert {name[-1] for _, name, _ in rows} <= TOWNSHIP_ENDS
    assert max(len(name) for _, name, _ in rows) <= MAX_NAME


def _write(path: Path, agency: str, year: int, seed: int, extra: str = "") -> None:
    spec = make_report("2021", seed=seed, agency=agency, year=year)
    if extra:
        spec.blocks.insert(2, extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_text(spec, "tsv"), encoding="utf-8")


def test_the_text_settles_an_ambiguous_place_and_says_so(tmp_path: Path) -> None:
    _write(tmp_path / "r.txt", "梅子镇人民政府", 2023, 3, "梅子镇地处宁陕县北部。")
    report = convert(tmp_path / "r.txt")
    assert report.report.body.model_dump() == {
        "name": "梅子镇人民政府", "region_code": "610923111", "region": ["陕西省", "安康市", "宁陕县", "梅子镇"],
        "level": "township", "kind": "government", "id": "610923111:人民政府"}
    assert [i.message for i in report.issues if i.code == "body_inferred"] == [
        "the body's place 610923111 was inferred: the text names 宁陕县"]


@pytest.mark.parametrize(("file", "body"), [
    ("pdf_01_hongze2023.pdf", HONGZE),  # titled 洪泽区人民政府; 本报告由淮安市洪泽区人民政府办公室…编制
    ("pdf_02_hongze2024.pdf", HONGZE),
    ("pdf_03_huaian2024.pdf", {"name": "淮安市人民政府", "region_code": "320800", "region": ["江苏省", "淮安市"],
                               "level": "city", "kind": "government", "id": "320800:人民政府"}),
    ("html_02_pingtan_2024.html", PINGTAN),  # titled 平潭综合实验区; 来源 平潭综合实验区管委会办公室
    ("html_03_pingtan_2025.html", PINGTAN),
    ("html_04_pingtan_2019.html", PINGTAN),  # meta Author 平潭综合实验区管委会
])
def test_real_reports_get_the_body_a_reader_writes_down(file: str, body: dict) -> None:
    if not (REAL / file).exists():
        pytest.skip("the shared corpus is not here")
    report = convert(REAL / file)
    assert report.report.body.model_dump() == body
    assert not [i for i in report.issues if i.code == "body_inferred"]


def test_a_batch_fills_open_bodies_from_other_reports_and_folders(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _write(docs / "a" / "2022.txt", "彭阳县东岭乡人民政府", 2022, 21)
    _write(docs / "a" / "2023.txt", "东岭乡人民政府", 2023, 22)  # the gazetteer's one 东岭乡 is in 长岭县
    _write(docs / "宁陕县" / "梅子镇2023.txt", "梅子镇人民政府", 2023, 23)
    _write(docs / "misc" / "2023.txt", "三江镇人民政府", 2023, 24)  # nothing in the job places it
    run_batch([docs], BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    rows = {p: r for p, *r in conn.execute(
        "SELECT d.path, r.body_name, r.region_code, r.body_id, r.body_source FROM reports r "
        "JOIN documents d ON d.report_id = r.id")}
    by_name = {Path(p).relative_to(docs).as_posix(): r for p, r in rows.items()}
    assert by_name["a/2022.txt"] == ["彭阳县东岭乡人民政府", "640425", "640425:东岭乡人民政府", "document"]
    assert by_name["a/2023.txt"][:3] == ["彭阳县东岭乡人民政府", "640425", "640425:东岭乡人民政府"]
    assert by_name["a/2023.txt"][3].startswith("the body's place 640425 was inferred from 彭阳县东岭乡人民政府 in ")
    assert by_name["宁陕县/梅子镇2023.txt"][:3] == ["梅子镇人民政府", "610923111", "610923111:人民政府"]
    assert by_name["宁陕县/梅子镇2023.txt"][3] == "the body's place 610923111 was inferred from the folder 宁陕县"
    assert by_name["misc/2023.txt"] == ["三江镇人民政府", None, "三江镇人民政府", "document"]
    # the report JSON (and so reports.jsonl) says the same, with the issue
    (text,) = conn.execute("SELECT r.json FROM reports r JOIN documents d ON d.report_id = r.id "
                           "WHERE d.path LIKE '%梅子镇2023.txt'").fetchone()
    report = json.loads(text)
    assert report["report"]["body"]["region_code"] == "610923111"
    assert [i["code"] for i in report["issues"]].count("body_inferred") == 1
    # one body across the two spellings: the cross-year check and growth pair them
    pairs = conn.execute("SELECT DISTINCT body_id, year, prev_year FROM cross_year").fetchall()
    assert pairs == [("640425:东岭乡人民政府", 2023, 2022)]
    growth = conn.execute("SELECT body_id, year, prev_year, new_received, prev_new_received, growth FROM growth").fetchall()
    assert len(growth) == 1 and growth[0][:3] == ("640425:东岭乡人民政府", 2023, 2022)
    this, last = growth[0][3], growth[0][4]
    assert growth[0][5] == pytest.approx((this - last) / last)


def test_the_hongze_pair_fills_the_cross_year_table(tmp_path: Path) -> None:
    files = [REAL / "pdf_01_hongze2023.pdf", REAL / "pdf_02_hongze2024.pdf"]
    if not all(f.exists() for f in files):
        pytest.skip("the shared corpus is not here")
    run_batch(files, BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    rows = conn.execute("SELECT body_id, agency, year, prev_year, column_name, carried_over, prev_carried_forward, ok "
                        "FROM cross_year ORDER BY rowid").fetchall()
    assert [r[4] for r in rows] == ["natural_person", "commercial_enterprise", "research_institution",
                                    "social_welfare_org", "legal_service_org", "other_org", "total"]
    assert {r[:4] for r in rows} == {("320813:人民政府", "淮安市洪泽区人民政府", 2024, 2023)}
    assert conn.execute("SELECT body_id, year, prev_year, new_received, prev_new_received FROM growth").fetchall() == [
        ("320813:人民政府", 2024, 2023, 95.0, 21.0)]
    header = (tmp_path / "job" / "reports_wide.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[12:18] == ["body_name", "region_code", "region", "body_level", "body_kind", "body_id"]
    growth_csv = (tmp_path / "job" / "growth.csv").read_text(encoding="utf-8-sig").splitlines()
    assert growth_csv[1].startswith("320813:人民政府,淮安市洪泽区人民政府,2024,2023,95,21,")


def test_a_batch_places_a_body_by_its_portal(tmp_path: Path) -> None:
    from tests.fixturegen.html_builder import portal_page

    docs = tmp_path / "pages"
    docs.mkdir()
    for i, agency in enumerate(("宁陕县人民政府", "宁陕县统计局", "梅子镇人民政府")):
        page = portal_page(make_report("2021", seed=30 + i, agency=agency, year=2023), seed=i)
        page = page.replace('<meta name="SiteName"', '<meta name="SiteDomain" content="www.ningshan.gov.cn" />\n'
                                                      '<meta name="SiteName"', 1)
        (docs / f"p{i}.html").write_text(page, encoding="utf-8")
    run_batch([docs], BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    rows = dict(conn.execute("SELECT r.body_name, r.region_code || ' ' || r.site || ' ' || r.body_source FROM reports r"))
    assert rows == {
        "宁陕县人民政府": "610923 ningshan.gov.cn document",
        "宁陕县统计局": "610923 ningshan.gov.cn document",
        "梅子镇人民政府": "610923111 ningshan.gov.cn the body's place 610923111 was inferred from the portal "
                        "ningshan.gov.cn, whose other reports lie in 宁陕县"}


def test_a_former_name_meets_the_body_it_became() -> None:
    # 洪泽县 became 洪泽区 in 2016; 襄樊市 was renamed 襄阳市 in 2010
    assert body_from_name("洪泽县人民政府").fields() == {**HONGZE, "name": "洪泽县人民政府"}
    assert (body_from_name("襄樊市人民政府").id, body_from_name("襄樊市人民政府").region) == (
        "420600:人民政府", ["湖北省", "襄阳市"])
    assert body_from_name("东市区人民政府").level == "county"  # two former 东市区: place unknown, level known
