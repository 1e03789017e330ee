"""Errors of the collection workflow: Vietnamese first, English for the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class CollectionError(ValidationError):
    def __init__(self, message_vi: str, message_en: str = "", code: str = "invalid"):
        super().__init__(message_vi, code=code)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi


class ConcurrentEdit(CollectionError):
    def __init__(self) -> None:
        super().__init__(
            "Báo cáo vừa được người khác sửa; dữ liệu của bạn chưa được lưu. Hãy tải lại trang "
            "để xem bản mới nhất rồi nhập lại.",
            "Someone else changed this report meanwhile; nothing of yours was saved. Reload and retry.",
            code="conflict",
        )


class CellErrors(CollectionError):
    """Several cell-level problems at once: nothing is saved when any is an error."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        first = problems[0]["message_vi"] if problems else ""
        super().__init__(
            f"{len(problems)} ô có lỗi, chưa lưu gì. {first}",
            f"{len(problems)} cells have errors; nothing was saved.",
            code="cells",
        )


class SubmitRefused(CollectionError):
    """Submission refused by the form's rules: errors to fix (code "errors") or warnings
    without their written explanation (code "explain"); `violations` lists each of them."""

    def __init__(self, message_vi: str, message_en: str, *, code: str, violations: list):
        super().__init__(message_vi, message_en, code=code)
        self.violations = violations


__all__ = ["CellErrors", "CollectionError", "ConcurrentEdit", "PermissionDenied", "SubmitRefused"]
