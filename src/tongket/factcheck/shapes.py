"""Counts written without a unit right after the number, in the shapes reports use.

extract.py makes a number a fact only when a unit follows it. Real reports also state counts
as a value of a named quantity ("Số học sinh bỏ học là 12", "Tổng số CB-GV-NV: 27"), as a count
followed by its share ("12 (0,5%)"), or as a count with its rate in the next words ("có 03 thừa
cân, tỷ lệ 0,97%"). Each shape below needs two signals (a naming word before AND a clean end
after, or a number AND its rate), so a bare number on its own never becomes a fact.
"""

from __future__ import annotations

import re

from tongket.factcheck.numbers import NUMBER_PATTERN

# "Số học sinh bỏ học là 12", "tổng số trường: 27", "số lượng ... có 5": a named quantity.
_NAMED_BEFORE_RE = re.compile(
    r"(?<!\w)(?:tổng số|số lượng|số)(?!\w)(?P<label>\s+[^\W\d][^.;:!?\n()]{0,59}?)\s*(?:là|:|=)\s*$",
    re.IGNORECASE,
)
# "Giáo viên: 16", "CBQL: 02": a label of at most four words right before a colon.
_LABEL_COLON_RE = re.compile(r"(?:^|[\n(,;.\-–+•])\s*(?P<label>[^\W\d][^.;:!?\n\d()]{0,30}):\s*$")
# What may follow such a count: the end of the item, a share in parentheses, a conjunction.
_CLEAN_END_RE = re.compile(
    r"\s*(?:$|[,;.)\n]|\((?!\s*\d+\s*[/.\-]\s*\d)|\s(?:và|trong đó|gồm|chiếm|bằng|đạt|tăng|giảm)(?!\w))",
    re.IGNORECASE,
)
# "12 (0,5%)", "141 (51,8%)": a count followed by its share.
_SHARE_AFTER_RE = re.compile(rf"\s?\(\s?(?:{NUMBER_PATTERN})\s?%\s?\)")
# "có 03 thừa cân, tỷ lệ 0,97%": up to three words, then the rate of the count.
_RATE_SOON_RE = re.compile(
    rf"(?P<words>(?:\s+[^\W\d]+){{1,3}}?)\s*,?\s*(?:đạt\s+|chiếm\s+)?(?:tỷ lệ|tỉ lệ)\s*"
    rf"(?:là|đạt|:)?\s*(?:{NUMBER_PATTERN})\s?%",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?:19|20)\d{2}")
# Labels that name a date, a place or a document, never a quantity.
_NOT_QUANTITY_RE = re.compile(
    r"(?<!\w)(?:ngày|năm|tháng|điện thoại|fax|địa chỉ|mã|ký hiệu|quyết định|công văn|thông tư"
    r"|nghị định|kế hoạch số|văn bản|trang|điều|khoản|mục|lớp|khối|phòng số|tiết|câu|bài)(?!\w)",
    re.IGNORECASE,
)


def _counted_in(cfg_counted_re: re.Pattern, words: str) -> str | None:
    found = None
    for m in cfg_counted_re.finditer(" " + words):
        found = m.group(1).lower()
    return found


def bare_count(
    text: str, start: int, end: int, before: str, counted_re: re.Pattern, prev_count_near: bool
) -> tuple[int, str | None] | None:
    """(end of the fact, counted noun or None) when the number at text[start:end] is a count
    stated in one of the shapes above, else None. `before` is the text before the number;
    `prev_count_near` says a count stands just before in the same sentence (a list of counts)."""
    token = text[start:end]
    if _YEAR_RE.fullmatch(token):
        return None
    tail = before[-80:]
    clean = _CLEAN_END_RE.match(text, end)
    named = _NAMED_BEFORE_RE.search(tail)
    if named and clean and not _NOT_QUANTITY_RE.search(named.group("label")):
        return end, _counted_in(counted_re, named.group("label"))
    label = _LABEL_COLON_RE.search(tail)
    if label and clean and not _NOT_QUANTITY_RE.search(label.group("label")):
        words = label.group("label")
        noun = _counted_in(counted_re, words)
        if (noun or prev_count_near) and len(words.split()) <= 4:
            return end, noun
    share = _SHARE_AFTER_RE.match(text, end)
    if share:
        return end, _counted_in(counted_re, tail[-50:])
    rate = _RATE_SOON_RE.match(text, end)
    if rate and not _NOT_QUANTITY_RE.search(tail[-12:]):
        return end, _counted_in(counted_re, rate.group("words"))
    return None


# "đạt điểm 9,6", "tổng điểm là 10,14", "điểm trung bình lớp 12 là 9,6", "điểm khuyến khích
# 4,0": a score written after the word "điểm" (with a decimal comma, so "điểm 3 khoản 2" of a
# law is never one).
_SCORE_BEFORE_RE = re.compile(
    r"(?<!\w)điểm(?:\s+[^\W\d]+){0,3}?(?:\s+(?:lớp|môn)\s+\w+)?\s*(?:là|:|đạt)?\s*$",
    re.IGNORECASE,
)
# "(điểm các môn: Toán 9,0; Ngữ văn 9,0)": a subject followed by its score.
_SCORE_CONTEXT_RE = re.compile(r"(?<!\w)(?:điểm|bài thi|môn thi)(?!\w)", re.IGNORECASE)
_SCORE_END_RE = re.compile(r"\s*(?:$|[,;.)(\n]|\s(?:môn|điểm|và)(?!\w))", re.IGNORECASE)


def score(text: str, start: int, end: int, before: str, names_re: re.Pattern) -> bool:
    """The number at text[start:end] is an exam score (0–30 with a decimal comma)."""
    token = text[start:end]
    if "," not in token or not _SCORE_END_RE.match(text, end):
        return False
    try:
        value = float(token.replace(",", "."))
    except ValueError:
        return False
    if value > 30:
        return False
    tail = before[-60:]
    if _SCORE_BEFORE_RE.search(tail):
        return True
    if not _SCORE_CONTEXT_RE.search(before[-120:]):
        return False
    head = re.sub(r"\s*:?\s*$", "", tail)
    return any(m.end() == len(head) for m in names_re.finditer(head))
