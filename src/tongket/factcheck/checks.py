"""Consistency checks over the facts of one text.

Severity: *hard* means the arithmetic written in the text does not hold, whatever reading one
takes (parts that add up past their stated total, a percent that is not X/Y even after
rounding). *Soft* means it only fails on one reading: a percent that was truncated instead of
rounded, a base that the text does not state unambiguously, an estimate ("ước đạt") just under
its target. The goal is that a hard issue is worth a phone call to the office that wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from tongket.core.vntext import nfc
from tongket.factcheck.breakdown import breakdown_checks
from tongket.factcheck.common import Issue, _d, _fmt, _q, _resolution
from tongket.factcheck.extract import Config, Fact, extract_facts, load_config
from tongket.factcheck.identities import attendance_checks
from tongket.factcheck.repeats import repeat_checks

KINDS = ("ratio_mismatch", "sum_mismatch", "target_mismatch", "count_mismatch", "other")
__all__ = ["KINDS", "Analysis", "Issue", "analyse", "check_facts"]


@dataclass
class Analysis:
    text: str
    facts: list[Fact]
    issues: list[Issue]


# ---------------------------------------------------------------- X/Y against the stated %


def _ratio_checks(facts: list[Fact]) -> list[Issue]:
    issues = []
    for f in facts:
        if f.unit != "percent" or f.numerator is None or not f.denominator:
            continue
        exact = _d(f.numerator) / _d(f.denominator) * 100
        stated = _d(f.value)
        q = _q(f.decimals)
        if stated in (
            exact.quantize(q, ROUND_HALF_UP),
            exact.quantize(q, ROUND_HALF_EVEN),
        ):
            continue
        n, dn = _fmt(f.numerator), _fmt(f.denominator)
        shown = _fmt(exact.quantize(_q(f.decimals + 2), ROUND_HALF_UP))
        quotes = [q_ for q_ in (f.ratio_quote, f.quote) if q_]
        if exact.quantize(q, ROUND_DOWN) == stated:
            severity = "soft"
            vi = f"{_fmt(stated)}% là {n}/{dn} = {shown}% bị cắt bớt chứ không làm tròn."
            en = f"{_fmt(stated)}% is {n}/{dn} = {shown}% truncated instead of rounded."
        else:
            strong = f.ratio_link == "strong" and f.bound == "exact"
            severity = "hard" if strong else "soft"
            vi = f"Tỷ lệ ghi {_fmt(stated)}% nhưng {n}/{dn} = {shown}%."
            en = f"The stated rate {_fmt(stated)}% does not match {n}/{dn} = {shown}%."
            if not strong:
                vi += " (Không rõ tỷ lệ này tính trên mẫu số nào.)"
                en += " (The base of this rate is not stated unambiguously.)"
        expected = float(exact.quantize(q, ROUND_HALF_UP))
        issues.append(Issue("ratio_mismatch", severity, quotes, f.value, expected, vi, en))
    return issues


# ---------------------------------------------------------------- shares of one whole

# Rating scales whose shares make up one whole (TT 22/2021, TT 27/2020, older TT 58/2011,
# staff appraisal). A list of percents under two or more labels of one scale must not pass 100%.
_SCALES = (
    ("tốt", "khá", "đạt", "chưa đạt"),
    ("giỏi", "khá", "trung bình", "yếu", "kém"),
    ("hoàn thành tốt", "hoàn thành", "chưa hoàn thành"),
    ("tốt", "đạt", "cần cố gắng"),
    ("xuất sắc", "giỏi", "khá", "trung bình", "yếu", "kém"),
    ("hoàn thành xuất sắc", "hoàn thành tốt", "hoàn thành", "không hoàn thành"),
    ("công lập", "ngoài công lập"),
    ("công lập", "tư thục"),
)
_LABELS = sorted({label for scale in _SCALES for label in scale}, key=len, reverse=True)
_LABEL_ALT = "|".join(re.escape(w) for w in _LABELS)
_HEAD = (
    r"(?:^|[,:;(\-–+•]|(?<!\w)(?:loại|xếp loại|mức|hạnh kiểm|học lực|rèn luyện|học tập"
    r"|năng lực|phẩm chất|và))"
)
_LABEL_END_RE = re.compile(
    rf"{_HEAD}\s*(?P<label>{_LABEL_ALT})(?!\w)\s*(?:nhiệm vụ\s*)?[:(\-–]?\s*"
    rf"(?:(?:đạt|chiếm|là)\s+)?(?:(?:tỷ lệ|tỉ lệ)\s+)?$",
    re.IGNORECASE,
)
_LABEL_START_RE = re.compile(
    rf"^\s*[,;:(\-–+•]?\s*(?:và\s+)?(?:(?:loại|xếp loại|mức)\s+)?(?P<label>{_LABEL_ALT})(?!\w)",
    re.IGNORECASE,
)


def _label(text: str, seg_start: int, f: Fact) -> tuple[str, int] | None:
    """The rating label a percent belongs to, and where the label starts."""
    seg = text[seg_start : f.start]
    m = _LABEL_END_RE.search(seg)
    if m is None and len(seg) <= 45:
        m = _LABEL_START_RE.match(seg)
    return (m.group("label").lower(), seg_start + m.start("label")) if m else None


# Between two shares of one list there are only separators: "Tốt 85,2%; Khá 12,3%". Anything
# else ("học lực khá 50%, hạnh kiểm tốt 80%") starts another whole.
_LIST_SEP_RE = re.compile(r"[\s,;.\-–+•)]*(?:và\s*)?")


def _share_checks(text: str, facts: list[Fact]) -> list[Issue]:
    issues = []
    groups: list[list[tuple[str, Fact]]] = []
    current: list[tuple[str, Fact]] = []
    prev: Fact | None = None
    for f in facts:
        if f.unit != "percent":
            continue
        seg_start = prev.end if prev is not None and prev.sentence == f.sentence else 0
        seg_start = max(seg_start, f.start - 60)
        found = _label(text, seg_start, f)
        label = found[0] if found else None
        broken = (
            prev is None
            or prev.sentence != f.sentence
            or found is None
            or not _LIST_SEP_RE.fullmatch(text[prev.end : found[1]])
            or any(label == lb for lb, _ in current)
        )
        if broken and current:
            groups.append(current)
            current = []
        if label is not None and not f.is_target:
            current.append((label, f))
        prev = f
    if current:
        groups.append(current)
    for group in groups:
        labels = {lb for lb, _ in group}
        scale = next((s for s in _SCALES if labels <= set(s)), None)
        if len(group) < 2 or scale is None:
            continue
        total = sum((_d(f.value) for _, f in group), Decimal(0))
        tol = sum((_resolution(f) for _, f in group), Decimal(0))
        complete = labels == set(scale)
        if total > 100 + tol:
            what_vi, what_en = "vượt quá 100%", "exceed 100%"
        elif complete and total < 100 - tol:
            what_vi, what_en = "không đủ 100%", "fall short of 100%"
        else:
            continue
        parts = " + ".join(f"{lb} {_fmt(_d(f.value))}%" for lb, f in group)
        issues.append(
            Issue(
                "sum_mismatch",
                "hard",
                [f.quote for _, f in group],
                float(total),
                100.0,
                f"Các tỷ lệ của cùng một tổng thể ({parts}) cộng lại {_fmt(total)}%, {what_vi}.",
                f"Shares of one whole ({parts}) add up to {_fmt(total)}%, which must not "
                f"{what_en}.",
            )
        )
    return issues


# ---------------------------------------------------------------- value against target

_CLAIM_RE = re.compile(
    r"(?<!\w)(?P<neg>chưa đạt|không đạt|chưa hoàn thành|không hoàn thành)"
    r"|(?<!\w)(?P<pos>đạt và vượt|vượt|đạt|hoàn thành)(?!\w)",
    re.IGNORECASE,
)
_CLAIM_AFTER_RE = re.compile(
    r"[\s),]*(?:(?:và|nên|là|đã|,)\s+)*(?:(?P<neg>chưa đạt|không đạt|chưa hoàn thành"
    r"|không hoàn thành)|(?P<pos>đạt và vượt|vượt|đạt|hoàn thành))(?:\s+\w+){0,2}?\s+"
    r"(?:chỉ tiêu|kế hoạch|mục tiêu)",
    re.IGNORECASE,
)


def _clause_end(text: str, pos: int) -> int:
    m = re.compile(r"\n|[.!?…;](?=\s|$)").search(text, pos)
    return m.start() if m else len(text)


_HEDGE_RE = re.compile(r"(?<!\w)(?:ước|cơ bản|gần|xấp xỉ|dự kiến|khoảng)(?!\w)", re.IGNORECASE)


_CEILING_RE = re.compile(
    r"(?<!\w)(?:không quá|không vượt quá|tối đa|dưới|giảm(?: xuống)?(?: còn)?|thấp hơn)\s*$",
    re.IGNORECASE,
)


def _is_ceiling(text: str, target: Fact) -> bool:
    """A target stated as a ceiling ("không quá 0,4%", "dưới 2%") is met by staying below it."""
    return target.bound == "upper" or bool(
        _CEILING_RE.search(text[max(0, target.start - 25) : target.start])
    )


def _target_checks(text: str, facts: list[Fact]) -> list[Issue]:
    issues = []
    for f in facts:
        if f.is_target or f.stated_target is None:
            continue
        target = _d(f.stated_target)
        value = _d(f.value)
        tgt = f.target_fact
        # Gap stated beside a target stated on its own: "đạt 82,5% (vượt 1,1%; chỉ tiêu 81%)".
        if f.gap is not None and f.gap_unit == f.unit:
            expected_gap = value - target
            tol = _q(max(f.decimals, f.target_decimals, f.gap_decimals)) / 2
            if abs(expected_gap - _d(f.gap)) > tol * 2:
                quotes = [f.quote, f.gap_quote or "", f.target_quote or ""]
                issues.append(
                    Issue(
                        "target_mismatch",
                        "hard",
                        [q for q in quotes if q],
                        abs(f.gap),
                        float(abs(expected_gap)),
                        f"{_fmt(value)} so với chỉ tiêu {_fmt(target)} chênh "
                        f"{_fmt(abs(expected_gap))}, không phải {_fmt(abs(_d(f.gap)))} như đã ghi.",
                        f"{_fmt(value)} against the target {_fmt(target)} is a difference of "
                        f"{_fmt(abs(expected_gap))}, not the stated {_fmt(abs(_d(f.gap)))}.",
                    )
                )
                continue
        # A claim ("đạt chỉ tiêu", "vượt kế hoạch", "chưa đạt") between the figure and its target.
        if tgt is None:
            continue
        region = text[f.end : tgt.start] if tgt.start >= f.end else text[tgt.end : f.start]
        claim = None
        for m in _CLAIM_RE.finditer(region):
            claim = m
        if claim is None:
            # "đạt 97% (chỉ tiêu 98%), hoàn thành chỉ tiêu": the claim may follow both figures.
            last = max(f.end, tgt.end)
            tail = text[last : min(last + 50, _clause_end(text, last))]
            after = _CLAIM_AFTER_RE.match(tail)
            if after is None:
                continue
            claim, region = after, tail
        low = _d(f.target_range[0]) if f.target_range else target
        said = (claim.group("pos") or claim.group("neg")).lower()
        if _is_ceiling(text, tgt):
            # "chưa đạt kế hoạch (không quá 0,4%)": a ceiling is met from below, so the claim
            # is checked the other way round (dropout, malnutrition, class size...).
            ceiling = _d(f.target_range[1]) if f.target_range else target
            met = value <= ceiling
            if bool(claim.group("pos")) == met:
                continue
            vi = (
                f"Ghi '{said}' nhưng {_fmt(value)} {'không vượt' if met else 'vượt'} mức tối đa "
                f"{_fmt(ceiling)}."
            )
            en = (
                f"Says '{said}' but {_fmt(value)} is {'within' if met else 'above'} the ceiling "
                f"{_fmt(ceiling)}."
            )
            whole = text[min(f.start, tgt.start) : max(f.end, tgt.end)]
            issues.append(
                Issue(
                    "target_mismatch",
                    "hard",
                    [whole] if len(whole) < 300 else [f.quote, tgt.quote],
                    f.value,
                    float(ceiling),
                    vi,
                    en,
                )
            )
            continue
        if claim.group("pos"):
            if value >= low and not (said == "vượt" and value == low):
                continue
            hedged = (
                _HEDGE_RE.search(region[: claim.end()])
                or f.bound != "exact"
                or value.quantize(_q(f.target_decimals), ROUND_HALF_UP) >= low
            )
            severity = "soft" if hedged else "hard"
            vi = f"Ghi '{said} chỉ tiêu' nhưng {_fmt(value)} thấp hơn chỉ tiêu {_fmt(low)}."
            en = f"Says the target is met ('{said}') but {_fmt(value)} is below {_fmt(low)}."
        else:
            if value < low:
                continue
            severity = "hard"
            vi = f"Ghi '{said}' nhưng {_fmt(value)} đã đạt chỉ tiêu {_fmt(low)}."
            en = f"Says '{said}' but {_fmt(value)} meets the target {_fmt(low)}."
        whole = text[min(f.start, tgt.start) : max(f.end, tgt.end)]
        issues.append(
            Issue(
                "target_mismatch",
                severity,
                [whole] if len(whole) < 300 else [f.quote, tgt.quote],
                f.value,
                float(low),
                vi,
                en,
            )
        )
    return issues


# ---------------------------------------------------------------- entry points


def check_facts(text: str, facts: list[Fact], config: Config | None = None) -> list[Issue]:
    """All issues found among facts (extracted from the NFC text `text`)."""
    cfg = config or load_config()
    issues = (
        _ratio_checks(facts)
        + breakdown_checks(text, facts, cfg)
        + _share_checks(text, facts)
        + _target_checks(text, facts)
        + repeat_checks(text, facts, cfg)
        + attendance_checks(text, facts)
    )
    seen: set[tuple] = set()
    out = []
    for issue in issues:
        key = (issue.kind, tuple(issue.quotes), issue.stated)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def analyse(text: str, config: Config | None = None) -> Analysis:
    """Extract the facts of a text and check them."""
    text = nfc(text)
    cfg = config or load_config()
    facts = extract_facts(text, cfg)
    return Analysis(text, facts, check_facts(text, facts, cfg))
