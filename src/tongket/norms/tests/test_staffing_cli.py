"""`tongket norms staffing evaluate` through the management command (the CLI's real path)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

CSV = "school_code,level,classes,pupils,region,teachers_actual\nA,tieu_hoc,10,370,3,15\nB,thcs,x,0,3,1\n"


def test_evaluate_through_call_command(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "norms", "staffing", "evaluate", schools=str(path), date="2023-12-15", json=True, stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["schools"]["A"]["levels"]["tieu_hoc"]["rule_set"] == "tt16_2017"
    assert result["rejected_rows"] == [
        {"row": 2, "reason": "số lớp (classes) 'x' không phải số nguyên không âm"}
    ]
    with pytest.raises(CommandError) as exc:
        call_command("norms", "staffing", "evaluate", schools=str(tmp_path / "no.csv"),
                     date="2024-09-30", stdout=io.StringIO())  # fmt: skip
    assert exc.value.returncode == 2


def test_tongket_command_exits_2_on_a_missing_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("school_code,level\nA,tieu_hoc\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "tongket.cli", "norms", "staffing", "evaluate"]
    done = subprocess.run(
        [*cmd, "--schools", str(path), "--date", "2024-09-30"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "lỗi: s.csv: thiếu cột bắt buộc: classes, pupils, region, teachers_actual" in done.stdout
