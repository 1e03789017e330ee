import io
import json

from tongket.factcheck.cli import run

BUDGET = (
    "Tổng kinh phí là 176.001.542.000 đồng (trong đó xây dựng mới là 158.204.068.000 đồng, "
    "sửa chữa là 17.977.474.000 đồng). Có 57/65 trường đạt chuẩn, tỷ lệ 87,69%."
)


def test_json_one_object_per_file_per_line(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(BUDGET, encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("Không có số liệu nào.", encoding="utf-8")
    out = io.StringIO()
    assert run([str(a), str(b), "--json"], out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert set(first) == {"file", "facts", "issues"}
    assert first["file"] == str(a)
    fact_keys = {"quote", "start", "end", "value", "unit", "numerator", "denominator", "target",
                 "bound", "range", "counted", "level", "indicator"}  # fmt: skip
    assert all(set(f) == fact_keys for f in first["facts"])
    for f in first["facts"]:
        assert BUDGET[f["start"] : f["end"]] == f["quote"]
    [issue] = first["issues"]
    assert set(issue) == {"kind", "severity", "quotes", "stated", "expected", "message_vi",
                          "message_en"}  # fmt: skip
    assert (issue["kind"], issue["severity"]) == ("sum_mismatch", "hard")
    assert json.loads(lines[1]) == {"file": str(b), "facts": [], "issues": []}


def test_unreadable_file_reports_error_and_others_still_run(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Có 38 điểm cầu.", encoding="utf-8")
    out = io.StringIO()
    code = run([str(tmp_path / "missing.txt"), str(good), "--json"], out)
    assert code == 1
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert set(first) == {"file", "error"} and "không tìm thấy" in first["error"]
    assert second["facts"][0]["value"] == 38


def test_readable_report(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(BUDGET, encoding="utf-8")
    out = io.StringIO()
    assert run([str(a), "--facts"], out) == 0
    report = out.getvalue()
    assert "sum_mismatch" in report and "[SAI]" in report
    assert "176.181.542.000" in report
    assert "57/65" in report


def test_bad_arguments_return_2():
    assert run([], io.StringIO()) == 2
