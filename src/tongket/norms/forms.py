"""Forms of the norms pages: the PCGD–XMC upload and a register certificate."""

from __future__ import annotations

from typing import cast

from django import forms

from tongket.core.vntext import format_date, parse_date
from tongket.norms.models import CertificateKind, SchoolCertificate
from tongket.units.models import OrgUnit
from tongket.units.queries import today


class PcgdUploadForm(forms.Form):
    year = forms.IntegerField(
        label="Năm điều tra (số liệu đến 30/9)",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "Nhập năm điều tra.", "invalid": "Năm phải là một số."},
    )
    survey = forms.FileField(
        label="Tệp điều tra hộ gia đình (CSV, XLSX)",
        error_messages={"required": "Chọn tệp điều tra.", "empty": "Tệp điều tra rỗng."},
    )
    communes = forms.FileField(
        label="Danh sách xã (mã xã, xã ĐBKK)",
        error_messages={"required": "Chọn tệp danh sách xã.", "empty": "Tệp danh sách xã rỗng."},
    )
    note = forms.CharField(label="Ghi chú", required=False, max_length=300)


class SchoolChoiceField(forms.ModelChoiceField):
    """Schools shown as "name (code)"; the form sets the queryset (the user's schools)."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name} ({obj.code})"


class CertificateForm(forms.Form):
    school = SchoolChoiceField(
        label="Trường",
        queryset=None,
        error_messages={"required": "Chọn trường.", "invalid_choice": "Trường không hợp lệ."},
    )
    kind = forms.ChoiceField(label="Loại", choices=CertificateKind.choices)
    level = forms.TypedChoiceField(
        label="Mức độ / cấp độ",
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 5)],
    )
    decision_number = forms.CharField(
        label="Số quyết định", max_length=60, error_messages={"required": "Nhập số quyết định."}
    )
    decision_date = forms.CharField(
        label="Ngày quyết định (dd/mm/yyyy)", error_messages={"required": "Nhập ngày quyết định."}
    )
    issued_by = forms.CharField(label="Cơ quan cấp", max_length=200, required=False)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, schools=None, instance: SchoolCertificate | None = None, **kw):
        if instance is not None and "initial" not in kw:
            kw["initial"] = {
                "school": instance.school_id,
                "kind": instance.kind,
                "level": instance.level,
                "decision_number": instance.decision_number,
                "decision_date": format_date(instance.decision_date),
                "issued_by": instance.issued_by,
                "note": instance.note,
            }
        super().__init__(*args, **kw)
        cast(SchoolChoiceField, self.fields["school"]).queryset = schools

    def clean_decision_date(self):
        try:
            day = parse_date(self.cleaned_data["decision_date"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if day > today():
            raise forms.ValidationError("Ngày quyết định không được sau ngày hôm nay.")
        return day
