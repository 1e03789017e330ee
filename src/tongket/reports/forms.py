from __future__ import annotations

from django import forms

from tongket.reports.models import ReportDraft

_AREA = {"rows": 4, "cols": 90}


class DraftForm(forms.ModelForm):
    date = forms.DateField(
        label="Ngày ban hành",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        help_text="Để trống: ngày theo lệ (30/6 tổng kết, 31/1 sơ kết), không muộn hơn hôm nay.",
    )

    class Meta:
        model = ReportDraft
        fields = ReportDraft.NARRATIVE_FIELDS
        widgets = {
            f: forms.Textarea(attrs=_AREA)
            for f in ("intro", "limitations", "causes", "tasks", "proposals", "recipients")
        }
        help_texts = {
            "number": "Để trống khi còn là dự thảo (Số:      /BC-...).",
            "symbol": "Để trống: BC-SGDĐT (Sở), BC-VHXH (xã, phường)...",
            "intro": "Mỗi dòng một đoạn. Để trống: câu mở đầu tự động.",
            "tasks": "Mỗi dòng một nhiệm vụ. Để trống: gợi ý từ các chỉ tiêu chưa đạt.",
            "proposals": "Dòng kết thúc bằng ':' (vd. 'Đối với Bộ Giáo dục và Đào tạo:') mở một "
            "nhóm; các dòng sau là kiến nghị.",
            "recipients": "Mỗi dòng một nơi nhận; dòng '- Lưu: VT' được thêm tự động.",
            "next_period": "Để trống: 'năm học 2025-2026' (tổng kết), 'học kỳ II ...' (sơ kết).",
        }
