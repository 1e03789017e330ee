"""The shipped pack is valid, and broken packs are reported by file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongket.catalog import models as m
from tongket.catalog.actions import default_pack_dir, load_pack
from tongket.catalog.packs import PackError, check_pack

SHIPPED = Path(__file__).resolve().parents[4] / "packs" / "vn" / "catalog"


def test_shipped_pack_has_the_statistical_forms():
    pack = check_pack(SHIPPED)
    for code in (
        "01.ĐN-MN",
        "02.ĐN-TH",
        "03.ĐN-THCS",
        "04.ĐN-THPT",
        "02.CN-TH",
        "03.CN-THCS",
        "04.CN-THPT",
        "SK-HK1",
    ):
        assert code in pack.forms
    for code in (
        "mobilisation_mn_3_5",
        "national_standard_rate",
        "completion_th",
        "dropout_rate",
        "pupils_per_class",
        "teachers_per_class",
        "assess_th_htt_rate",
        "learning_good_rate",
    ):
        assert code in pack.indicators
    assert all(i.source for i in pack.indicators.values())
    th = pack.forms["02.ĐN-TH"]
    assert any(c.element == "pupils" and c.combo == "grade=3;level=TH;sex=f" for c in th.cells)


@pytest.fixture
def pack_copy(tmp_path):
    dst = tmp_path / "catalog"
    shutil.copytree(SHIPPED, dst)
    return dst


def _issues(path):
    with pytest.raises(PackError) as exc:
        check_pack(path)
    return exc.value.issues


def test_malformed_yaml_names_file_and_line(pack_copy):
    (pack_copy / "elements.yaml").write_text(
        "elements:\n  - {code: a, name_vi: [\n", encoding="utf-8"
    )
    issues = _issues(pack_copy)
    assert any(i.file == "elements.yaml" and i.line >= 2 and "YAML" in i.message for i in issues)


def test_unknown_element_in_form_row(pack_copy):
    path = pack_copy / "forms" / "02-dn-th.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "element: satellite_sites", "element: ghost_sites"
    )
    path.write_text(text, encoding="utf-8")
    issues = _issues(pack_copy)
    hit = [i for i in issues if "ghost_sites" in i.message]
    assert hit and hit[0].file == "forms/02-dn-th.yaml"
    line = text.splitlines()[hit[0].line - 1]
    assert "ghost_sites" in line


def test_missing_source_duplicate_code_and_bad_expression(pack_copy):
    path = pack_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    text += (
        '  - {code: dropout_rate, name_vi: x, numerator: "dropouts", factor: 100, source: "x"}\n'
    )
    text += '  - {code: evil, name_vi: x, numerator: "__import__(1)", factor: 100, source: "x"}\n'
    text += '  - {code: nosource, name_vi: x, numerator: "pupils", factor: 100}\n'
    path.write_text(text, encoding="utf-8")
    messages = " | ".join(i.message for i in _issues(pack_copy))
    assert "bị trùng" in messages and "evil" in messages and "source" in messages


def test_combination_cap(pack_copy):
    head = pack_copy / "pack.yaml"
    head.write_text(
        head.read_text(encoding="utf-8").replace(
            "max_combinations_per_form: 800", "max_combinations_per_form: 10"
        ),
        encoding="utf-8",
    )
    assert any("vượt giới hạn" in i.message for i in _issues(pack_copy))


@pytest.mark.django_db
def test_load_is_idempotent_and_command_reports_errors(pack_copy, capsys):
    assert m.Form.objects.filter(code="02.ĐN-TH").exists()
    _, changed = load_pack(default_pack_dir())
    assert changed is False
    call_command("packs", "check")
    assert "OK" in capsys.readouterr().out
    (pack_copy / "validation.yaml").write_text(
        "rules:\n  - {code: r1, left: pupils, op: '=>', right: 1, severity: fatal, message_vi: x, message_en: x, source: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("packs", "check", str(pack_copy))
    err = capsys.readouterr().err
    assert "validation.yaml:2" in err
