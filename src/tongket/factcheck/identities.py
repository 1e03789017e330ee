"""Identities between counts of one population: registered = present + absent.

Exam and enrolment reports state how many registered ("đăng ký"), how many sat or attended
("dự thi", "đi học", "có mặt") and how many were absent ("bỏ thi", "vắng", "không dự thi").
The absent can never outnumber registered − present (hard); fewer absent than that is only
soft, since the text may name one kind of absence ("bỏ thi không có lý do") among others.
"""

from __future__ import annotations

import re

from tongket.factcheck.common import Issue, _d, _fmt, _lemma
from tongket.factcheck.extract import Fact

_REGISTERED_RE = re.compile(r"^\s*(?:đã\s+)?(?:đăng ký|đăng kí)", re.IGNORECASE)
_PRESENT_RE = re.compile(
    r"^\s*(?:đã\s+)?(?:dự thi|tham dự|tham gia dự thi|có mặt|đi học|đến trường)", re.IGNORECASE
)
_ABSENT_AFTER_RE = re.compile(
    r"^\s*(?:đã\s+)?(?:bỏ thi|vắng|không dự thi|không tham dự|không đến|nghỉ học)", re.IGNORECASE
)
_ABSENT_BEFORE_RE = re.compile(r"(?<!\w)(?:vắng|bỏ thi|vắng mặt)\s*$", re.IGNORECASE)


def _role(text: str, f: Fact) -> str | None:
    after = text[f.end : f.end + 30]
    if _ABSENT_AFTER_RE.match(after) or _ABSENT_BEFORE_RE.search(
        text[max(0, f.start - 12) : f.start]
    ):
        return "absent"
    if _REGISTERED_RE.match(after):
        return "registered"
    if _PRESENT_RE.match(after):
        return "present"
    return None


def attendance_checks(text: str, facts: list[Fact]) -> list[Issue]:
    issues = []
    counts = [
        f
        for f in facts
        if f.unit == "count" and f.numerator is None and f.bound == "exact" and f.counted
    ]
    roles = [_role(text, f) for f in counts]
    for i, (reg, role) in enumerate(zip(counts, roles, strict=True)):
        if role != "registered":
            continue
        present = absent = None
        for f, r in zip(counts[i + 1 : i + 6], roles[i + 1 : i + 6], strict=True):
            if f.start - reg.end > 300 or _lemma(f.counted) != _lemma(reg.counted):
                break
            if r == "registered":
                break
            if r == "present" and present is None:
                present = f
            elif (
                r == "absent"
                and present is not None
                and absent is None
                and f.sentence == present.sentence
            ):
                absent = f
        if present is None or absent is None or present.value > reg.value:
            continue
        gap = _d(reg.value) - _d(present.value)
        stated = _d(absent.value)
        if stated == gap:
            continue
        severity = "hard" if stated > gap else "soft"
        noun = reg.counted or ""
        issues.append(
            Issue(
                "count_mismatch",
                severity,
                [reg.quote, present.quote, absent.quote],
                absent.value,
                float(gap),
                f"{_fmt(_d(reg.value))} đăng ký, {_fmt(_d(present.value))} có mặt: vắng "
                f"{_fmt(gap)} {noun}, nhưng ghi {_fmt(stated)}.",
                f"{_fmt(_d(reg.value))} registered and {_fmt(_d(present.value))} present leave "
                f"{_fmt(gap)} absent, but the text says {_fmt(stated)}.",
            )
        )
    return issues
