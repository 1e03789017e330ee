"""One quantity, one value: the same figure stated twice in a document must agree.

- **Totals stated twice.** "Toàn tỉnh có 392 trường" and later "Tổng số trường: 369" (same
  noun, same level, nothing after the noun that narrows it) cannot both be right.
- **A rate over two bases.** "264/392 trường đạt chuẩn quốc gia" and "179/369 trường đạt
  chuẩn quốc gia" (same indicator, same level): one of the two bases is wrong.
- **A base against the stated total.** "Toàn ngành có 340 trường" … "202/337 trường": soft, it
  may be another scope.
- **A rate restated from its parts.** "Toàn tỉnh có 369 trường … 264 trường đạt chuẩn quốc gia
  … tỷ lệ trường đạt chuẩn quốc gia 67,3%": the rate must be 264/369 rounded; soft, since the
  two counts may come from different sentences' scopes.

A sentence naming a year, or comparing ("so với", "năm trước", "tăng", "giảm"), may speak of
another period: a difference found there is soft, never hard.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from tongket.factcheck.common import Issue, _d, _fmt, _is_change, _lemma, _q
from tongket.factcheck.extract import Config, Fact

_SCOPE_BEFORE_RE = re.compile(
    r"(?:(?<!\w)(?:toàn ngành|toàn tỉnh|toàn huyện|toàn thành phố|toàn thị xã|toàn xã"
    r"|toàn quận|tổng số|có tổng|tổng cộng)(?!\w)[^.;:\n\d]{0,40}?(?:có|là|:|gồm)?"
    r"|(?<!\w)(?:số|tổng số)\s+[^\W\d][^.;:\n\d]{0,30}?(?:là|:))\s*$",
    re.IGNORECASE,
)
# After the noun: the total stands alone (end of clause, its breakdown, its share).
_CLEAN_AFTER_RE = re.compile(
    r"\s*(?:$|[,;.:(\n]|(?:trong đó|gồm|bao gồm|với|và)(?!\w))", re.IGNORECASE
)
_OTHER_TIME_RE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?!\d)|(?<!\w)(?:so với|năm trước|năm học trước|cùng kỳ|trước đây"
    r"|tăng|giảm|kỳ trước|đầu năm|cuối năm|hiện nay|dự kiến|kế hoạch|chỉ tiêu|mục tiêu)(?!\w)",
    re.IGNORECASE,
)
_SENT_RE = re.compile(r"\n|[.!?…](?=\s|$)")


def _sentence(text: str, f: Fact) -> str:
    start = 0
    for m in _SENT_RE.finditer(text, max(0, f.start - 300), f.start):
        start = m.end()
    end = _SENT_RE.search(text, f.end)
    return text[start : end.start() if end else len(text)]


def _other_time(text: str, f: Fact) -> bool:
    return bool(_OTHER_TIME_RE.search(_sentence(text, f)))


_PLACE_SCOPE_RE = re.compile(
    r"(?<!\w)toàn\s+(ngành|tỉnh|huyện|thành phố|thị xã|xã|quận|phường|trường)(?!\w)", re.IGNORECASE
)


_CLAUSE_END_RE = re.compile(r"\n|[.!?…;](?=\s|$)")


def _scope(text: str, f: Fact) -> str:
    """The place a total is stated for ("toàn tỉnh" → "tỉnh"), or "" when not named."""
    found = ""
    start = max(0, f.start - 60)
    for m in _CLAUSE_END_RE.finditer(text, start, f.start):
        start = m.end()
    for m in _PLACE_SCOPE_RE.finditer(text, start, f.start):
        found = m.group(1).lower()
    return found


def _level(f: Fact) -> str:
    return f.level or "all"


def _paragraph_levels(text: str, f: Fact, cfg: Config) -> frozenset[str]:
    """Levels named in the paragraph up to the figure ("Còn cấp THCS … Số học sinh bỏ học là
    268 em"): two totals under different levels are two quantities."""
    start = text.rfind("\n", 0, f.start) + 1
    return frozenset(m.lastgroup or "" for m in cfg.levels_re.finditer(text, start, f.start))


def _scope_totals(text: str, facts: list[Fact]) -> list[Fact]:
    out = []
    for f in facts:
        if (
            f.unit == "count"
            and f.numerator is None
            and f.bound == "exact"
            and f.counted
            and not f.is_target
            and not _is_change(text, f)
            and _SCOPE_BEFORE_RE.search(text[max(0, f.start - 60) : f.start])
        ):
            out.append(f)
    return out


def _issue(kind: str, severity: str, a: Fact, b: Fact, vi: str, en: str, exp: float) -> Issue:
    return Issue(kind, severity, [a.quote, b.quote], b.value, exp, vi, en)


def repeat_checks(text: str, facts: list[Fact], cfg: Config) -> list[Issue]:
    issues: list[Issue] = []
    totals = _scope_totals(text, facts)
    clean = [f for f in totals if _CLEAN_AFTER_RE.match(text, f.end)]
    # Totals stated twice.
    doc_places = {m.group(1).lower() for m in _PLACE_SCOPE_RE.finditer(text)}
    first: dict[tuple, Fact] = {}
    for f in clean:
        key = (_lemma(f.counted), _level(f), f.indicator)
        prev = first.setdefault(key, f)
        if prev is f or prev.value == f.value:
            continue
        if _paragraph_levels(text, prev, cfg) != _paragraph_levels(text, f, cfg):
            continue
        scopes = {_scope(text, prev), _scope(text, f)}
        if len(scopes - {""}) > 1:
            continue  # "toàn tỉnh" and "toàn huyện": two places
        # A total with no place named is the document's own scope when it names only one.
        same_place = len(scopes) == 1 or len(doc_places) <= 1
        hard = same_place and not (_other_time(text, prev) or _other_time(text, f))
        noun = f.counted or ""
        issues.append(
            _issue(
                "count_mismatch",
                "hard" if hard else "soft",
                prev,
                f,
                f"Cùng một tổng số được ghi hai lần với hai giá trị: {_fmt(_d(prev.value))} "
                f"và {_fmt(_d(f.value))} {noun}.",
                f"The same total is stated twice with two values: {_fmt(_d(prev.value))} "
                f"and {_fmt(_d(f.value))} {noun}.",
                prev.value,
            )
        )
    # A rate over two bases: fractions of one indicator and level with different denominators.
    fractions = [
        f
        for f in facts
        if f.unit == "count" and f.numerator is not None and f.denominator and f.counted
    ]
    seen: dict[tuple, Fact] = {}
    for f in fractions:
        if f.indicator is None:
            continue
        key = (_lemma(f.counted), _level(f), f.indicator)
        prev = seen.setdefault(key, f)
        if prev is f or prev.denominator == f.denominator:
            continue
        a, b = prev.denominator or 0.0, f.denominator or 0.0
        if abs(a - b) > 0.2 * max(a, b):
            continue  # a very different base is another population, not the same one
        hard = not (_other_time(text, prev) or _other_time(text, f))
        issues.append(
            Issue(
                "count_mismatch",
                "hard" if hard else "soft",
                [prev.quote, f.quote],
                b,
                a,
                f"Cùng một tỷ lệ được tính trên hai mẫu số khác nhau: {_fmt(_d(a))} và "
                f"{_fmt(_d(b))} {f.counted}.",
                f"The same rate is computed over two different bases: {_fmt(_d(a))} and "
                f"{_fmt(_d(b))} {f.counted}.",
            )
        )
    # A base against the stated total (soft: it may be another scope).
    by_noun: dict[tuple, Fact] = {}
    for f in clean:
        by_noun.setdefault((_lemma(f.counted), _level(f)), f)
    for f in fractions:
        total = by_noun.get((_lemma(f.counted), _level(f)))
        if total is None or f.denominator == total.value or not f.denominator:
            continue
        if abs(f.denominator - total.value) > 0.1 * total.value:
            continue
        issues.append(
            Issue(
                "other",
                "soft",
                [total.quote, f.quote],
                f.denominator,
                total.value,
                f"Mẫu số {_fmt(_d(f.denominator))} {f.counted} khác tổng số "
                f"{_fmt(_d(total.value))} {total.counted} đã nêu.",
                f"The base {_fmt(_d(f.denominator))} {f.counted} differs from the total "
                f"{_fmt(_d(total.value))} {total.counted} stated elsewhere.",
            )
        )
    issues += _restated_rates(text, facts, by_noun)
    return issues


def _fits(stated: Decimal, q: Decimal, exact: Decimal) -> bool:
    return stated in (exact.quantize(q, ROUND_HALF_UP), exact.quantize(q, ROUND_HALF_EVEN))


def _restated_rates(text: str, facts: list[Fact], by_noun: dict[tuple, Fact]) -> list[Issue]:
    """A rate with no base beside it, while its numerator (a count of the same indicator) and
    its base (the stated total of the same noun) stand elsewhere."""
    issues = []
    counts: dict[tuple, list[Fact]] = {}
    for f in facts:
        if f.unit == "count" and f.numerator is None and f.indicator and f.bound == "exact":
            counts.setdefault((f.indicator, _level(f)), []).append(f)
    for f in facts:
        if f.unit != "percent" or f.numerator is not None or f.indicator is None:
            continue
        if f.is_target or f.bound != "exact" or f.range is not None or _is_change(text, f):
            continue
        indicator = f.indicator.replace("_rate", "_schools")
        candidates = counts.get((indicator, _level(f))) or counts.get((f.indicator, _level(f)))
        if not candidates:
            continue
        options = []
        for num in candidates:
            total = by_noun.get((_lemma(num.counted), _level(f)))
            if total is None or total is num or total.indicator == num.indicator:
                continue  # the base is a whole, not the count of the rate itself
            if not total.value or num.value > total.value:
                continue
            options.append((num, total))
        if not options:
            continue
        q = _q(f.decimals)
        stated = _d(f.value)

        if any(_fits(stated, q, _d(n.value) / _d(t.value) * 100) for n, t in options):
            continue
        num, total = options[-1] if options[-1][0].start < f.start else options[0]
        exact = _d(num.value) / _d(total.value) * 100
        shown = _fmt(exact.quantize(_q(f.decimals + 2), ROUND_HALF_UP))
        issues.append(
            Issue(
                "ratio_mismatch",
                "soft",
                [f.quote, num.quote, total.quote],
                f.value,
                float(exact.quantize(q, ROUND_HALF_UP)),
                f"Tỷ lệ ghi {_fmt(stated)}% nhưng theo các số đã nêu {_fmt(_d(num.value))}/"
                f"{_fmt(_d(total.value))} = {shown}%.",
                f"The stated rate {_fmt(stated)}% does not match the figures stated elsewhere: "
                f"{_fmt(_d(num.value))}/{_fmt(_d(total.value))} = {shown}%.",
            )
        )
    return issues
