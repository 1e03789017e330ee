"""`tongket norms staffing evaluate` as a contract: columns, rejected rows, the rule set chosen
by date, and a test at every threshold of packs/vn/norms/staffing.yaml (read from the pack, so a
changed figure in the pack is tested without touching this file)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.norms.calc.packs import GeneralLevelNorm, PreschoolLevelNorm, load_staffing
from tongket.norms.calc.staffing_file import (
    REQUIRED_COLUMNS,
    StaffingFileError,
    evaluate,
    evaluate_rows,
    main,
)

PACK = load_staffing()
HEADER = [
    "school_code",
    "level",
    "classes",
    "two_session_classes",
    "pupils",
    "region",
    "mountain_island",
    "boarding",
    "special",
    "chuyen",
    "teachers_actual",
]


def row(code="S1", level="tieu_hoc", classes=10, pupils=0, region=3, actual=0, **kw) -> dict:
    return {
        "school_code": code,
        "level": level,
        "classes": classes,
        "pupils": pupils,
        "region": region,
        "teachers_actual": actual,
        **kw,
    }


def run(rows: list[dict], on: dt.date) -> dict:
    header = list(HEADER)
    for r in rows:
        header += [k for k in r if k not in header]
    data = [["" if r.get(h) is None else str(r.get(h, "")) for h in header] for r in rows]
    return evaluate_rows(header, data, on, PACK)


def write_csv(path, rows: list[dict], sep=",") -> str:
    header = list(HEADER)
    for r in rows:
        header += [k for k in r if k not in header]
    lines = [sep.join(header)] + [sep.join(str(r.get(h, "")) for h in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def level(result: dict, code="S1", lv="tieu_hoc") -> dict:
    return result["schools"][code]["levels"][lv]


def half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def sets(kind: str):
    return sorted((rs for rs in PACK.rule_sets if rs.kind == kind), key=lambda r: r.valid_from)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("kind", ["general", "preschool"])
def test_rule_set_changes_on_the_packs_effective_date(kind):
    old, new = sets(kind)[-2:]
    assert old.valid_to + dt.timedelta(days=1) == new.valid_from
    # TT 20/2023 and TT 19/2023 both take effect on 16/12/2023 (DOMAIN.md, the pack's sources)
    assert (old.valid_to, new.valid_from) == (dt.date(2023, 12, 15), dt.date(2023, 12, 16))
    lv = "tieu_hoc" if kind == "general" else "mau_giao"
    assert level(run([row(level=lv, classes=5)], old.valid_to), lv=lv)["rule_set"] == old.id
    assert level(run([row(level=lv, classes=5)], new.valid_from), lv=lv)["rule_set"] == new.id


def test_15_12_2023_and_16_12_2023_differ_by_the_leftover_allowance():
    old, new = sets("general")[-2:]
    lo = new.levels["tieu_hoc"].leftover
    assert old.levels["tieu_hoc"].leftover is None and lo is not None
    size, per = lo.class_size[1], lo.per_teacher[1]
    r = row(classes=10, pupils=10 * size + 2 * per, region=1)
    before, after = level(run([r], old.valid_to)), level(run([r], new.valid_from))
    assert after["required"] - before["required"] == 2
    assert not any("dư" in line for line in before["explanation"])


def test_no_rule_set_in_force_rejects_the_row():
    first = sets("general")[0]
    out = run([row(), row("M", "mau_giao", 3)], first.valid_from - dt.timedelta(days=1))
    assert [r["row"] for r in out["rejected_rows"]] == [1]
    assert "không có định mức Tiểu học có hiệu lực ngày" in out["rejected_rows"][0]["reason"]
    assert list(out["schools"]) == ["M"]


# --------------------------------------------------------------------------- every threshold


def _ratio_cases():
    for rs in PACK.rule_sets:
        for lv, norm in rs.levels.items():
            ratios = norm.per_class if isinstance(norm, GeneralLevelNorm) else norm.per_unit
            for key in ratios:
                yield pytest.param(rs, lv, key, id=f"{rs.id}-{lv}-{key}")


FLAG_OF = {"boarding": "boarding", "special": "special", "chuyen": "chuyen"}


@pytest.mark.parametrize(("rs", "lv", "key"), list(_ratio_cases()))
def test_every_class_ratio(rs, lv, key):
    norm = rs.levels[lv]
    n = 7  # odd, so that x.x5 ratios round
    extra: dict = {}
    if key == "two_sessions":
        extra["two_session_classes"] = n
    elif key == "one_session":
        extra["two_session_classes"] = 0
    elif key in FLAG_OF:
        extra[FLAG_OF[key]] = 1
    pupils = 0
    if isinstance(norm, GeneralLevelNorm) and norm.leftover is not None:
        pupils = n * norm.leftover.class_size[3]  # exactly full classes: no leftover teacher
    out = level(run([row(level=lv, classes=n, pupils=pupils, **extra)], rs.valid_from), lv=lv)
    if isinstance(norm, GeneralLevelNorm):
        want = half_up(norm.per_class[key] * n) + sum(norm.extra_posts.values())
    else:
        assert isinstance(norm, PreschoolLevelNorm)
        want = half_up(norm.per_unit[key] * n)
    assert (out["rule_set"], out["required"]) == (rs.id, want)


def _mixed_cases():
    for rs in PACK.rule_sets:
        for lv, norm in rs.levels.items():
            ratios = norm.per_class if isinstance(norm, GeneralLevelNorm) else norm.per_unit
            if "two_sessions" in ratios and "one_session" in ratios:
                yield pytest.param(rs, lv, id=f"{rs.id}-{lv}")


@pytest.mark.parametrize(("rs", "lv"), list(_mixed_cases()))
def test_two_and_one_session_classes_mixed(rs, lv):
    norm = rs.levels[lv]
    ratios = norm.per_class if isinstance(norm, GeneralLevelNorm) else norm.per_unit
    posts = sum(norm.extra_posts.values()) if isinstance(norm, GeneralLevelNorm) else 0
    out = level(run([row(level=lv, classes=10, two_session_classes=4)], rs.valid_from), lv=lv)
    assert (
        out["required"] == half_up(ratios["two_sessions"] * 4 + ratios["one_session"] * 6) + posts
    )


def _leftover_cases():
    for rs in PACK.rule_sets:
        for lv, norm in rs.levels.items():
            if isinstance(norm, GeneralLevelNorm) and norm.leftover is not None:
                for region in norm.leftover.per_teacher:
                    yield pytest.param(rs, lv, region, id=f"{rs.id}-{lv}-vung{region}")


@pytest.mark.parametrize(("rs", "lv", "region"), list(_leftover_cases()))
def test_leftover_pupil_threshold_per_region(rs, lv, region):
    lo = rs.levels[lv].leftover
    size, per = lo.class_size[region], lo.per_teacher[region]
    assert per in (12, 15, 17)  # TT 20/2023: 12 / 15 / 17 pupils in region 1 / 2 / 3

    def required(pupils: int) -> int:
        r = row(classes=10, pupils=pupils, region=region)
        return level(run([r], rs.valid_from), lv=lv)["required"]

    base = required(10 * size)
    assert required(10 * size + per - 1) == base  # one short of the threshold
    assert required(10 * size + per) == base + 1  # on it
    assert required(10 * size + 2 * per - 1) == base + 1
    assert required(10 * size + 2 * per) == base + 2


def _vice_cases():
    for rs in PACK.rule_sets:
        if rs.vice_principals is not None:
            for where in ("lowland", "mountain_island"):
                yield pytest.param(rs, where, id=f"{rs.id}-{where}")


@pytest.mark.parametrize(("rs", "where"), list(_vice_cases()))
def test_vice_principal_class_threshold(rs, where):
    vp = rs.vice_principals
    limit = getattr(vp, f"classes_{where}")
    assert limit in (28, 19)
    mountain = int(where == "mountain_island")

    def required(classes: int, **flags) -> int:
        r = row(classes=classes, mountain_island=mountain, **flags)
        return run([r], rs.valid_from)["schools"]["S1"]["vice_principals_required"]

    assert required(limit - 1) == vp.few
    assert required(limit) == vp.many
    for flag in vp.always_many_if:
        assert required(1, **{flag: 1}) == vp.many
    # classes of every general level of the school count together
    flag = {"mountain_island": mountain}
    split = [row(classes=limit - 1, **flag), row(level="thcs", classes=1, **flag)]
    assert run(split, rs.valid_from)["schools"]["S1"]["vice_principals_required"] == vp.many


def _band_cases():
    for rs in PACK.rule_sets:
        for lv, norm in rs.levels.items():
            if isinstance(norm, PreschoolLevelNorm):
                for band, cap in norm.max_children.items():
                    yield pytest.param(rs, lv, band, cap, id=f"{rs.id}-{lv}-{band}")


@pytest.mark.parametrize(("rs", "lv", "band", "cap"), list(_band_cases()))
def test_preschool_group_size_threshold(rs, lv, band, cap):
    slug = band.replace("-", "_")
    units = f"{'groups' if lv == 'nha_tre' else 'classes'}_{slug}"

    def explanation(children: int) -> str:
        r = row(level=lv, classes=2, **{units: 2, f"children_{slug}": children})
        return "\n".join(level(run([r], rs.valid_from), lv=lv)["explanation"])

    assert "vượt sĩ số" not in explanation(2 * cap)
    over = explanation(2 * cap + 1)
    assert f"vượt sĩ số tối đa {cap} trẻ" in over and "(cần 3 " in over


# --------------------------------------------------------------------------- the contract


def test_json_shape_totals_and_gross_figures(tmp_path):
    rows = [
        row(
            "A",
            classes=10,
            actual=14,
            teachers_van_hoa=12,
            teachers_tieng_anh=0,
            teachers_tin_hoc_cong_nghe=0,
            teachers_gdtc=1,
            teachers_am_nhac=0,
            teachers_my_thuat=0,
            teachers_tong_phu_trach_doi=1,
        ),
        row("B", classes=10, actual=20),
        row("B", "thcs", classes=8, actual=10),
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    out = io.StringIO()
    assert main(["evaluate", "--schools", path, "--date", "2024-09-30", "--json"], out) == 0
    result = json.loads(out.getvalue())
    assert set(result) >= {"schools", "totals", "rejected_rows"}
    a = level(result, "A")
    assert set(a) >= {"required", "actual", "balance", "shortage", "surplus", "rule_set"}
    assert a["balance"] == a["actual"] - a["required"] == a["surplus"] - a["shortage"]
    assert a["shortage"] > -a["balance"]  # gross: English short while class teachers are over
    th = result["totals"]["tieu_hoc"]
    b = level(result, "B")
    assert th["required"] == a["required"] + b["required"]
    assert th["shortage"] == a["shortage"] + b["shortage"]  # school by school
    assert th["balance"] == th["surplus"] - th["shortage"] and th["schools"] == 2
    assert result["totals"]["thcs"]["schools"] == 1
    assert result["rejected_rows"] == []


def test_bad_rows_are_rejected_with_reasons_and_never_counted():
    good = [row("A", actual=10), row("B", "thcs", classes=6, actual=12)]
    bad = [
        row("", actual=1),  # no code
        row("C", "dai_hoc"),
        row("D", classes="mười"),
        row("E", classes=0),
        row("F", region=4),
        row("G", boarding=2),
        row("H", two_session_classes=11),
        row("A", actual=3),  # duplicate school and level
        row("B", region=1),  # another level of B in another region
        row("I", actual=5, teachers_tieng_anh=2),  # subjects do not add up to the total
        row("J", level="thcs", teachers_van_hoa=1, actual=1),  # not a THCS subject
        row("K", level="mau_giao", classes=3, classes_3_4y=2),  # bands do not add up
        row("L", level="tieu_hoc", groups_3_12m=1),  # a preschool column on a primary row
        row("M", pupils=-5),
    ]
    out = run(good[:1] + bad[:4] + good[1:] + bad[4:], dt.date(2024, 9, 30))
    clean = run(good, dt.date(2024, 9, 30))
    assert out["totals"] == clean["totals"] and out["schools"] == clean["schools"]
    reasons = {r["row"]: r["reason"] for r in out["rejected_rows"]}
    assert sorted(reasons) == [2, 3, 4, 5, *range(7, 17)]
    assert "thiếu mã trường" in reasons[2]
    assert "cấp học 'dai_hoc' không hợp lệ" in reasons[3]
    assert "số lớp (classes) 'mười' không phải số nguyên không âm" in reasons[4]
    assert "số lớp (classes) bằng 0" in reasons[5]
    assert "vùng (region) '4'" in reasons[7]
    assert "boarding '2' phải là 0 hoặc 1" in reasons[8]
    assert "lớn hơn số lớp" in reasons[9]
    assert "trùng trường A, cấp tieu_hoc với dòng 1" in reasons[10]
    assert "region khác với dòng 6 của cùng trường" in reasons[11]
    assert "tổng giáo viên theo môn (2) khác số giáo viên hiện có" in reasons[12]
    assert "môn van_hoa không có ở THCS" in reasons[13]
    assert "tổng số lớp theo độ tuổi (2) khác số lớp" in reasons[14]
    assert "chỉ dùng cho Nhà trẻ" in reasons[15]
    assert "số học sinh (pupils) '-5'" in reasons[16]


def test_row_numbers_count_data_rows_and_blank_lines(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "school_code;level;classes;pupils;region;teachers_actual\n"
        "A;tieu_hoc;10;1.200;3;16\n"  # Vietnamese thousands separator
        "\n"
        "B;tieu_hoc;x;0;3;1\n"
        "C;tieu_hoc;5;0;3;8;9\n",  # one cell too many
        encoding="utf-8-sig",
    )
    out = evaluate(path, dt.date(2024, 9, 30))
    assert [r["row"] for r in out["rejected_rows"]] == [3, 4]
    assert "dòng có 7 ô, tiêu đề có 6 cột" in out["rejected_rows"][1]["reason"]
    assert level(out, "A")["required"] > 16  # 1.200 pupils: leftover teachers counted


def test_xlsx_gives_the_same_result_as_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = [row("A", actual=14, mountain_island=1), row("B", "mau_giao", 4, actual=9, region=1)]
    csv_path = write_csv(tmp_path / "s.csv", rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    header = list(HEADER)
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) if r.get(h, "") != "" else None for h in header])
    wb.save(tmp_path / "s.xlsx")
    on = dt.date(2025, 9, 30)
    assert evaluate(tmp_path / "s.xlsx", on) == evaluate(csv_path, on)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("school_code,level,classes,pupils,region\nA,tieu_hoc,1,1,3\n", "teachers_actual"),
        ("", "tệp trống"),
        (",".join(REQUIRED_COLUMNS) + ",teachers_latin\n", "teachers_latin"),
        (",".join(REQUIRED_COLUMNS) + ",level\n", "cột lặp lại: level"),
    ],
)
def test_unusable_file_exits_2_with_a_message(tmp_path, content, message):
    path = tmp_path / "s.csv"
    path.write_text(content, encoding="utf-8")
    out = io.StringIO()
    assert main(["evaluate", "--schools", str(path), "--date", "2024-09-30"], out) == 2
    assert out.getvalue().startswith("lỗi: ") and message in out.getvalue()
    with pytest.raises(StaffingFileError):
        evaluate(path, dt.date(2024, 9, 30))


def test_missing_file_broken_xlsx_and_bad_date_exit_2(tmp_path, capsys):
    out = io.StringIO()
    assert (
        main(["evaluate", "--schools", str(tmp_path / "no.csv"), "--date", "2024-09-30"], out) == 2
    )
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"not a zip")
    assert main(["evaluate", "--schools", str(broken), "--date", "2024-09-30"], out) == 2
    assert "b.xlsx: không đọc được tệp" in out.getvalue()
    assert main(["evaluate", "--schools", str(broken), "--date", "30-02-2024"], out) == 2
    assert "không đọc được ngày" in capsys.readouterr().err


def test_human_output_in_vietnamese_with_thousands(tmp_path):
    rows = [row("A", "thcs", classes=1000, actual=700), row("B", "thcs", classes="", actual=1)]
    path = write_csv(tmp_path / "s.csv", rows)
    out = io.StringIO()
    args = ["norms", "staffing", "evaluate", "--schools", path, "--date", "16/12/2023"]
    assert main(args, out) == 0
    text = out.getvalue()
    assert "hiệu lực ngày 16/12/2023" in text
    assert "1.901" in text  # 1,9 × 1000 + 1 Tổng phụ trách Đội
    assert "THCS thiếu 1.201 giáo viên." in text
    assert "Dòng bị loại: 1" in text and "dòng 2: thiếu số lớp (classes)" in text


cell = st.one_of(
    st.sampled_from(["", "0", "1", "2", "3", "12", "1.200", "-1", "x", "tieu_hoc", "mau_giao"]),
    st.text(max_size=4),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(cell, min_size=0, max_size=len(HEADER) + 1), max_size=8))
def test_any_rows_are_counted_or_rejected_never_both(rows):
    """Whatever the cells: each non-blank row is either counted or rejected, and the totals are
    those of the accepted rows alone."""
    rows = [[c.replace("\n", " ") for c in r] for r in rows]
    out = evaluate_rows(HEADER, rows, dt.date(2024, 9, 30), PACK)
    rejected = {r["row"] for r in out["rejected_rows"]}
    nonblank = {i for i, r in enumerate(rows, start=1) if any(c.strip() for c in r)}
    assert rejected <= nonblank
    counted = sum(len(s["levels"]) for s in out["schools"].values())
    assert counted == len(nonblank) - len(rejected)
    kept = [r for i, r in enumerate(rows, start=1) if i in nonblank - rejected]
    again = evaluate_rows(HEADER, kept, dt.date(2024, 9, 30), PACK)
    assert again["totals"] == out["totals"] and again["rejected_rows"] == []
