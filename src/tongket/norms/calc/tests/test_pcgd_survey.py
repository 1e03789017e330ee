"""PCGD–XMC evaluator end to end: survey files in, the documented JSON out."""

import csv
import io
import json

import duckdb
import pytest

from tongket.norms.calc import pcgd
from tongket.norms.calc.pcgd_sql import COLUMNS

Y = 2024
_pid = iter(range(1, 10**9))


def person(commune, age, status="not_in_school", **kw):
    row = {
        "person_id": f"P{next(_pid)}", "commune_code": commune, "birth_year": Y - age, "sex": "F",
        "ethnic_minority": 0, "disability": "none", "status": status, "completed_preschool": 0,
        "primary_completed_year": "", "thcs_diploma_year": "", "literacy_level": 0,
    }  # fmt: skip
    row.update(kw)
    return row


def five_year_olds(commune, total, attending):
    return [
        person(commune, 5, "preschool" if i < attending else "not_in_school", completed_preschool=1)
        for i in range(total)
    ]


def write_csv(path, rows, header=COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(c, "") for c in header] if isinstance(r, dict) else r)
    return path


def communes_file(path, difficult: dict, province=None):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["commune_code", "difficult"] + (["province_code"] if province else []))
        for code, d in difficult.items():
            w.writerow([code, int(d)] + ([province[code]] if province else []))
    return path


@pytest.fixture
def mn5_case(tmp_path):
    rows = (
        five_year_olds("10001", 20, 19)  # normal, 95%  -> meets
        + five_year_olds("10002", 20, 18)  # normal, 90%  -> misses by 1
        + five_year_olds("10003", 20, 18)  # ĐBKK, 90%  -> meets
        + five_year_olds("10004", 20, 17)  # ĐBKK, 85%  -> misses by 1
        # A 5-year-old unable to study is out of the denominator (still 19/20 in 10001).
        + [person("10001", 5, "not_in_school", disability="cannot_study")]
    )
    survey = write_csv(tmp_path / "s.csv", rows)
    cm = communes_file(tmp_path / "c.csv", {"10001": 0, "10002": 0, "10003": 1, "10004": 1},
                       {"10001": "96", "10002": "96", "10003": "96", "10004": "01"})  # fmt: skip
    return survey, cm


def test_mn5_normal_and_difficult(mn5_case):
    out = pcgd.evaluate(*mn5_case, Y)
    assert set(out) == {"year", "communes", "provinces", "rejected_rows"}
    c = out["communes"]
    assert [c[k]["levels"]["pcgd_mn5"] for k in ("10001", "10002", "10003", "10004")] == [
        1,
        0,
        1,
        0,
    ]
    assert c["10001"]["rates"]["mn5_attending"] == 0.95
    assert c["10002"]["failures"] == [
        {"standard": "pcgd_mn5", "level": 1, "criterion": "mn5_attending", "rate": 0.9,
         "threshold": 0.95, "short_by_people": 1}
    ]  # fmt: skip
    assert c["10004"]["failures"][0]["threshold"] == 0.9
    assert set(c["10001"]["levels"]) == {"pcgd_mn5", "pcgd_th", "pcgd_thcs", "xmc"}
    assert set(c["10001"]["rates"]) >= {"xmc_l1_15_25", "xmc_l2_15_35", "disabled_in_school"}
    assert out["rejected_rows"] == []
    # Province 96: 2 of 3 communes meet MN5 (67% < 90%); 01: its one commune misses.
    assert out["provinces"] == {
        "01": {"levels": {"pcgd_mn5": 0, "pcgd_th": 3, "pcgd_thcs": 3, "xmc": 2}},
        "96": {"levels": {"pcgd_mn5": 0, "pcgd_th": 3, "pcgd_thcs": 3, "xmc": 2}},
    }


def test_province_mapping_argument_wins_and_code_prefix_is_not_used(mn5_case):
    mapping = {"10001": "12", "10003": "12"}
    out = pcgd.evaluate(*mn5_case, Y, commune_province=mapping)
    assert list(out["provinces"]) == ["12"]  # 10002/10004 unmapped: left out, not guessed from "10"
    assert out["provinces"]["12"]["levels"]["pcgd_mn5"] == 1


def test_xmc_difficult_age_bands(tmp_path):
    rows = []
    for code in ("20001", "20002"):
        rows += [person(code, age, literacy_level=1) for age in range(15, 26)]  # 15–25 literate
        rows += [person(code, age, literacy_level=0) for age in range(26, 36)]  # 26–35 not
    cm = communes_file(tmp_path / "c.csv", {"20001": 0, "20002": 1})
    out = pcgd.evaluate(write_csv(tmp_path / "s.csv", rows), cm, Y)["communes"]
    assert out["20001"]["levels"]["xmc"] == 0  # 11/21 of 15–35
    assert out["20002"]["levels"]["xmc"] == 1  # ĐBKK: 11/11 of 15–25; level 2 needs 15–35 at lvl 2
    assert out["20001"]["rates"]["xmc_l1_15_25"] == 1.0
    # THCS mức 1 is blocked by XMC in the normal commune (and by the 15–18 diploma rate).
    crit = {f["criterion"] for f in out["20001"]["failures"] if f["standard"] == "pcgd_thcs"}
    assert crit == {"requires xmc level 1", "thcs_diploma_15_18"}


def test_completing_primary_counts_as_literacy_level_2(tmp_path):
    rows = [person("30001", 20, literacy_level=0, primary_completed_year=Y - 9) for _ in range(10)]
    cm = communes_file(tmp_path / "c.csv", {"30001": 0})
    out = pcgd.evaluate(write_csv(tmp_path / "s.csv", rows), cm, Y)["communes"]["30001"]
    assert out["rates"]["xmc_l2_15_60"] == 1.0 and out["levels"]["xmc"] == 2


def test_primary_grade1_entry(tmp_path):
    rows = [person("40001", 6, "grade_1" if i < 9 else "not_in_school") for i in range(10)]
    rows += [person("40001", 14, "grade_9", primary_completed_year=Y - 1) for _ in range(5)]
    cm = communes_file(tmp_path / "c.csv", {"40001": 0})
    c = pcgd.evaluate(write_csv(tmp_path / "s.csv", rows), cm, Y)["communes"]["40001"]
    assert c["levels"]["pcgd_th"] == 1
    assert c["failures"][0] == {"standard": "pcgd_th", "level": 2, "criterion": "th_grade1_age6",
                                "rate": 0.9, "threshold": 0.95, "short_by_people": 1}  # fmt: skip


def _bad_rows():
    good = person("50001", 30, literacy_level=2, primary_completed_year=Y - 19)
    return [
        good,  # row 1
        person("99999", 30),  # row 2: unknown commune
        person("50001", -3),  # row 3: born after the survey year
        person("50001", 40, "grade_1"),  # row 4: grade 1 at 40
        person("50001", 15, "preschool"),  # row 5: preschool at 15
        person("50001", 30, literacy_level="x"),  # row 6: malformed
        person("50001", 30, birth_year="abc"),  # row 7: malformed birth year
        person("50001", 111),  # row 8: older than 110
        dict(good),  # row 9: same person_id as row 1
        person("50001", 30, status="grade_13"),  # row 10: unknown status
    ]


def test_bad_rows_reported_by_data_row_and_excluded(tmp_path):
    survey = write_csv(tmp_path / "s.csv", _bad_rows())
    with open(survey, "a", encoding="utf-8") as fh:
        fh.write("P77,50001,1990,F,0,none,not_in_school,0,,,0,EXTRA\n")  # row 11: too many fields
    cm = communes_file(tmp_path / "c.csv", {"50001": 0})
    out = pcgd.evaluate(survey, cm, Y)
    rej = {r["row"]: r["reason"] for r in out["rejected_rows"]}
    assert sorted(rej) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "unknown commune_code 99999" in rej[2]
    assert "after the survey year" in rej[3]
    assert "status grade_1 inconsistent with age 40" in rej[4]
    assert "status preschool inconsistent with age 15" in rej[5]
    assert "malformed literacy_level" in rej[6]
    assert "malformed birth_year" in rej[7]
    assert "older than 110" in rej[8]
    assert "duplicate person_id (first at row 1)" in rej[9]
    assert "malformed status grade_13" in rej[10]
    assert "malformed CSV line" in rej[11]
    # Only row 1 is counted: one person aged 15–60, literate.
    assert out["communes"]["50001"]["rates"]["xmc_l2_15_60"] == 1.0


def test_rows_after_a_malformed_line_keep_their_numbers(tmp_path):
    rows = [person("50001", 30), ["only", "three", "fields"], person("50001", 40, "grade_1")]
    survey = write_csv(tmp_path / "s.csv", rows)
    cm = communes_file(tmp_path / "c.csv", {"50001": 0})
    rej = pcgd.evaluate(survey, cm, Y)["rejected_rows"]
    assert [r["row"] for r in rej] == [2, 3]
    assert "grade_1 inconsistent" in rej[1]["reason"]


def test_xlsx_row_numbers_match_csv(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for r in _bad_rows():
        ws.append([r[c] for c in COLUMNS])
    wb.save(tmp_path / "s.xlsx")
    cm = communes_file(tmp_path / "c.csv", {"50001": 0})
    out = pcgd.evaluate(tmp_path / "s.xlsx", cm, Y)
    assert [r["row"] for r in out["rejected_rows"]] == [2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_parquet_typed_input(tmp_path):
    rows = [*five_year_olds("60001", 20, 19), person("60001", 40, "grade_1")]
    csv_path = write_csv(tmp_path / "s.csv", rows)
    pq = tmp_path / "s.parquet"
    con = duckdb.connect()
    ints = ", ".join(
        f"TRY_CAST({c} AS INTEGER) AS {c}"
        if c in ("birth_year", "literacy_level", "primary_completed_year")
        else c
        for c in COLUMNS
    )
    con.execute(
        f"COPY (SELECT {ints} FROM read_csv('{csv_path}', header=true, all_varchar=true)) TO '{pq}' (FORMAT PARQUET)"
    )
    cm = communes_file(tmp_path / "c.csv", {"60001": 0})
    out = pcgd.evaluate(pq, cm, Y)
    assert out["communes"]["60001"]["levels"]["pcgd_mn5"] == 1
    assert [r["row"] for r in out["rejected_rows"]] == [21]


def test_commune_without_survey_rows_is_not_recognised(tmp_path):
    cm = communes_file(tmp_path / "c.csv", {"70001": 0, "70002": 0})
    out = pcgd.evaluate(
        write_csv(tmp_path / "s.csv", [person("70001", 30, literacy_level=2)]), cm, Y
    )
    empty = out["communes"]["70002"]
    assert set(empty["levels"].values()) == {0}
    assert {f["criterion"] for f in empty["failures"]} == {"no_survey_data"}


def test_missing_column_is_a_clear_error(tmp_path):
    survey = write_csv(tmp_path / "s.csv", [person("1", 3)], header=COLUMNS[:-1])
    cm = communes_file(tmp_path / "c.csv", {"1": 0})
    with pytest.raises(pcgd.SurveyError, match=r"missing column.*literacy_level"):
        pcgd.evaluate(survey, cm, Y)


def test_cli_json_and_table(mn5_case):
    survey, cm = mn5_case
    buf = io.StringIO()
    rc = pcgd.main(
        ["evaluate", "--survey", str(survey), "--communes", str(cm), "--year", str(Y), "--json"],
        buf,
    )
    assert rc == 0
    data = json.loads(buf.getvalue())
    assert data["communes"]["10002"]["levels"]["pcgd_mn5"] == 0
    buf = io.StringIO()
    assert (
        pcgd.main(
            ["pcgd", "evaluate", "--survey", str(survey), "--communes", str(cm), "--year", str(Y)],
            buf,
        )
        == 0
    )
    text = buf.getvalue()
    assert "10002" in text and "mn5_attending 90,0%<95,0% (thiếu 1)" in text
    assert (
        pcgd.main(
            ["evaluate", "--survey", "/nonexistent.csv", "--communes", str(cm), "--year", "2024"],
            io.StringIO(),
        )
        == 2
    )


def test_generated_survey_has_failing_communes_and_bad_rows(tmp_path):
    codes = [f"{i:05d}" for i in range(1, 13)]
    survey = pcgd.generate_survey(
        codes, 1500, Y, seed=3, path=tmp_path / "g.parquet", bad_share=0.002
    )
    cm = pcgd.write_communes(tmp_path / "c.csv", codes)
    out = pcgd.evaluate(survey, cm, Y)
    assert len(out["communes"]) == 12
    assert any(c["failures"] for c in out["communes"].values())
    assert any(not c["failures"] for c in out["communes"].values())
    assert out["rejected_rows"] and all(r["reason"] for r in out["rejected_rows"])
    assert out["communes"]["00005"]["rates"]["mn5_attending"] is not None
