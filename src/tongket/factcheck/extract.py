"""Fact extraction from Vietnamese narrative reports.

A *fact* is a figure the writer means as a result: a percentage, an amount of money, a count of
named things ("57/65 trường", "03 người", "65 điểm cầu"), a level reached ("PCGDTH mức độ 3").
Everything else that looks like a number is left alone: dates, years, document numbers,
phone numbers, item numbering, ages, anniversaries, web-page counters. The rule that keeps
precision high is that a bare number only becomes a fact when a unit follows it: "%", a money
word, a counted noun from indicators.yaml, or a measure. Reports list "09 nhóm nhiệm vụ" or
"2 buổi/ngày" all the time and nobody reads those as figures.

Offsets (start/end) are character offsets into the NFC text; the quote is text[start:end].
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from tongket.core.vntext import fold, nfc
from tongket.factcheck.numbers import (
    BOUND_BEFORE_RE,
    BOUND_WORDS,
    MULTIPLIERS,
    NUMBER_PATTERN,
    NUMBER_RE,
    decimal_places,
    parse_decimal,
)
from tongket.factcheck.shapes import bare_count, score

UNITS = ("percent", "count", "VND", "other")
LEVELS = ("preschool", "primary", "lower_secondary", "upper_secondary", "continuing", "all")
JSON_FIELDS = (
    "quote",
    "start",
    "end",
    "value",
    "unit",
    "numerator",
    "denominator",
    "target",
    "bound",
    "range",
    "counted",
    "level",
    "indicator",
)


@dataclass
class Fact:
    quote: str
    start: int
    end: int
    value: float
    unit: str
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None
    bound: str = "exact"
    range: tuple[float, float] | None = None
    counted: str | None = None
    level: str | None = None
    indicator: str | None = None
    # Working fields for the checks; not part of the JSON.
    decimals: int = field(default=0, repr=False)
    sentence: int = field(default=0, repr=False)
    num_start: int = field(default=0, repr=False)  # where the number itself starts
    factor: int = field(default=1, repr=False)  # multiplier written after it (tỷ, triệu)
    gap: float | None = field(default=None, repr=False)  # stated distance to plan, + = above
    gap_unit: str | None = field(default=None, repr=False)
    gap_quote: str | None = field(default=None, repr=False)
    gap_decimals: int = field(default=0, repr=False)
    is_target: bool = field(default=False, repr=False)  # this figure states a target
    stated_target: float | None = field(default=None, repr=False)  # from a target statement
    target_quote: str | None = field(default=None, repr=False)
    target_decimals: int = field(default=0, repr=False)
    target_range: tuple[float, float] | None = field(default=None, repr=False)
    ratio_link: str | None = field(default=None, repr=False)  # "strong"/"weak" X/Y -> %
    ratio_quote: str | None = field(default=None, repr=False)
    ratio_used: bool = field(default=False, repr=False)  # a fraction already tied to a percent
    target_fact: Fact | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        out = {name: getattr(self, name) for name in JSON_FIELDS}
        if self.range is not None:
            out["range"] = list(self.range)
        return out


# ---------------------------------------------------------------- configuration (YAML)


@dataclass(frozen=True)
class Config:
    counted_re: re.Pattern
    measure_re: re.Pattern
    level_res: tuple[tuple[str, re.Pattern], ...]
    levels_re: re.Pattern  # all levels at once, one named group per level
    all_levels_re: re.Pattern
    indicator_re: re.Pattern
    indicator_map: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    # Names of disjoint parts (age groups, subjects, sectors), one named group per name.
    partition_re: re.Pattern = re.compile("(?!)")


def _alternation(words: list[str]) -> str:
    if not words:
        return "(?!)"  # an empty list must match nothing, not the empty string
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _words_pattern(words: list[str]) -> str:
    """Any of words; capitalised abbreviations ("TH", "MN") only as written."""
    caps = [w for w in words if w.upper() == w and any(c.isalpha() for c in w)]
    plain = [w for w in words if w not in caps]
    parts = []
    if plain:
        parts.append(f"(?i:{_alternation(plain)})")
    if caps:
        parts.append(_alternation(caps))
    return "|".join(parts) or "(?!)"


def _word_re(words: list[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{_words_pattern(words)})(?![\w-])")


def _fold_table() -> dict[int, str]:
    """Vietnamese letter -> bare lower-case letter, as vntext.fold does, but as one
    str.translate table: fold() decomposes every character and is the slowest step here."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x1EFA):
        ch = chr(code)
        base = fold(ch)
        if base != ch and len(base) == 1:
            table[code] = base
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[ord(ch)] = ch.lower()
    return table


_FOLD = _fold_table()


def fast_fold(text: str) -> str:
    """fold() for matching: lower case, no marks; spacing kept so offsets stay put."""
    return text.translate(_FOLD)


DEFAULT_CONFIG_PATH = Path(__file__).with_name("indicators.yaml")


@lru_cache(maxsize=8)
def load_config(path: str | None = None) -> Config:
    """Load the keyword maps (indicators.yaml by default)."""
    data = yaml.safe_load(Path(path or DEFAULT_CONFIG_PATH).read_text(encoding="utf-8"))
    counted = [nfc(str(w)) for w in data.get("counted", [])]
    measures = [nfc(str(w)) for w in data.get("measures", [])]
    # Zero spaces allowed: published texts lose spaces ("109cháu"); the noun must still end.
    counted_re = re.compile(rf"[ \t\u00a0]*({_alternation(counted)})(?![\w])", re.IGNORECASE)
    measure_re = re.compile(rf"[ \t\u00a0]?({_alternation(measures)})(?![\w])", re.IGNORECASE)
    levels = {
        lvl: [nfc(str(w)) for w in words] for lvl, words in (data.get("levels") or {}).items()
    }
    level_res = tuple((level, _word_re(words)) for level, words in levels.items())
    groups = "|".join(f"(?P<{lvl}>{_words_pattern(words)})" for lvl, words in levels.items())
    levels_re = re.compile(rf"(?<![\w-])(?:{groups or '(?!)'})(?![\w-])")
    all_levels_re = _word_re([nfc(str(w)) for w in data.get("all_levels", [])])
    ind_map: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for item in data.get("indicators", []):
        units = tuple(item.get("units") or UNITS)
        for kw in item.get("keywords", []):
            ind_map.setdefault(fast_fold(nfc(str(kw))), []).append((item["code"], units))
    indicator_re = re.compile(rf"(?<!\w)(?:{_alternation(list(ind_map))})(?!\w)")
    return Config(
        counted_re,
        measure_re,
        level_res,
        levels_re,
        all_levels_re,
        indicator_re,
        {k: tuple(v) for k, v in ind_map.items()},
        _word_re([nfc(str(w)) for words in (data.get("partitions") or {}).values() for w in words]),
    )


# ---------------------------------------------------------------- patterns

# Numbers that are never facts, tried where a number starts (matching from the number is much
# cheaper than scanning the whole text for them): dates, times, document numbers, phones.
_EXCLUDED_AT_RE = re.compile(
    r"\d{1,2}\s?([/.\-])\s?\d{1,2}\s?\1\s?\d{2,4}(?!\d)"  # 20/01/2022, 31.07.2022
    r"|\d{1,2}:\d{2}(?::\d{2})?(?!\d)"  # 07:36:10
    r"|\d+(?:/\d+)*\s?[/\-]\s?[A-ZĐ][\wĐđ&.\-]*(?:/[\wĐđ&.\-]+)*"  # 125/BC-SGDĐT, 29-NQ/TW
    r"|\d{1,2}/(?:19|20)\d{2}(?![\d/])"  # tháng 01/2019
    r"|0\d{2,3}(?:[ .]\d{3,4}){2}(?!\d)"  # 0912 345 678
)

# The word right before a number that makes it a label, not a quantity: "số 2", "lần thứ 3",
# "năm 2020", "lớp 6", "Nghị quyết 19", "thôn 3".
_PREV_BLOCK_RE = re.compile(
    r"(?<!\w)(?P<w>số|thứ|lần|năm|khóa|khoá|lớp|khối|quý|tháng|ngày|tuần|kỳ|kì|điều|khoản|mục"
    r"|phần|chương|trang|giai đoạn|nhiệm kỳ|nghị quyết|quyết định|thông tư|nghị định|chỉ thị"
    r"|công văn|luật|kết luận|tờ trình|điện thoại|đt|sđt|fax|tel|hotline|quốc lộ|tỉnh lộ"
    r"|đường|hẻm|ấp|thôn|xóm|bản|khóm|khu phố|tổ dân phố|covid|iso|mã|phiên bản|trung ương"
    r"|đại hội|top|hạng|gmt|utc)\s*[:.]?\s*$",
    re.IGNORECASE,
)
# Labels that only take small numbers ("lớp 6", "quý 3", "lần thứ 2"): a large number after
# them is a quantity ("cân đo định kỳ 308/308 trẻ").
_SMALL_LABELS = {"thứ", "lần", "lớp", "khối", "quý", "tháng", "ngày", "tuần", "kỳ", "kì"}
_TOTAL_SO_RE = re.compile(r"(?<!\w)(?:tổng|với|có|là)\s+số\s*[:]?\s*$", re.IGNORECASE)
# "Trường THCS Sá Tổng số 1": "Tổng" inside a capitalised name, then the school's number.
_NAME_TONG_SO_RE = re.compile(r"(?<!\w)[A-ZĐ\u00c0-\u1ef9][^\W\d]*\s+Tổng\s+số\s*$")

_PCT_RE = re.compile(r"[ \t\u00a0]?(?:%|phần trăm(?!\w))", re.IGNORECASE)
_MULT_ALT = "|".join(MULTIPLIERS)
_MONEY_RE = re.compile(
    rf"[ \t\u00a0]?(?:({_MULT_ALT})[ \t\u00a0]?)?(đồng|vnđ|vnd|đ)(?![\w])", re.IGNORECASE
)
_MULT_RE = re.compile(rf"[ \t\u00a0]?({_MULT_ALT})(?![\w])", re.IGNORECASE)
_MONEY_CONTEXT_RE = re.compile(
    r"kinh phí|tiền|ngân sách|vốn|đầu tư|trị giá|giá trị|chi phí|học phí|lương|quỹ|hỗ trợ"
    r"|đóng góp|ủng hộ|tài trợ|mua sắm|xây dựng|sửa chữa|giải ngân|dự toán",
    re.IGNORECASE,
)
_TIME_UNIT_AFTER_SLASH_RE = re.compile(r"/\s?(?:ngày|tuần|tháng|năm|buổi|tiết|giờ|kỳ|học kỳ)\b")
_RATE_SLASH_RE = re.compile(r"/\s?([^\W\d][\w ]{0,20}?)(?=[\s,;.)]|$)")
_RANGE_SEP_RE = re.compile(r"\s?(?:%\s?)?(?:-|–|—|đến|tới)\s?", re.IGNORECASE)
_FROM_BEFORE_RE = re.compile(r"(?<!\w)từ\s+$", re.IGNORECASE)
_FRAC_RE = re.compile(rf"\s?/\s?({NUMBER_PATTERN})")
_AGE_AFTER_RE = re.compile(r"\s?(?:tuổi|tháng tuổi|năm tuổi)(?!\w)", re.IGNORECASE)
_DATEISH_PREV_RE = re.compile(
    r"(?<!\w)(?:ngày|hôm|sáng|chiều|tối|trưa|đêm|từ|đến|trước|sau|hạn)\s*$", re.IGNORECASE
)
_MUC_BEFORE_RE = re.compile(r"(?<!\w)(?:mức độ|mức|cấp độ)\s*$", re.IGNORECASE)
_MUC_CONTEXT_RE = re.compile(
    r"PCGD|phổ cập|XMC|xóa mù chữ|xoá mù chữ|chuẩn quốc gia|đạt chuẩn|kiểm định", re.IGNORECASE
)

# "PCGDTH mức độ 3", "XMC mức độ 2": the level a unit reached, a fact. After a full name
# ("đạt chuẩn phổ cập giáo dục tiểu học mức độ 3", "chuẩn quốc gia mức độ 1") the level
# names what was counted, not a figure of its own.
_MUC_NAME_RE = re.compile(r"(?<![\w])(?:PCGD\w*|XMC|GDMNTNT|PC\w{2,6})\s*,?\s*$")
_PLAN = r"(?:kế\s+hoạch|chỉ\s+tiêu|mục\s+tiêu|KH)"
_GAP_VERB_BEFORE_RE = re.compile(
    rf"(?<!\w)(?P<verb>vượt|tăng|cao hơn|nhiều hơn|giảm|thấp hơn|ít hơn|hụt|thiếu|còn thiếu"
    rf"|chưa đạt)\s+(?P<plan>(?:so\s+với\s+)?{_PLAN}(?:\s+(?:giao|được giao|đề ra))?\s+"
    rf"(?:là\s+)?)?$",
    re.IGNORECASE,
)
_GAP_JOIN_RE = re.compile(r"\s*[(,–-]?\s*")
_PLAN_AFTER_RE = re.compile(rf"\s*(?:so\s+với\s+)?{_PLAN}(?!\w)", re.IGNORECASE)
_TARGET_KW_RE = re.compile(rf"(?<!\w){_PLAN}(?!\w)(?P<tail>[^,;:.\n]{{0,45}})$", re.IGNORECASE)
_TARGET_TAIL_BLOCK_RE = re.compile(
    r"(?<!\w)(?:đạt|thực hiện|vượt|hoàn thành|có|tăng|giảm|thiếu|thừa)(?!\w)",
    re.IGNORECASE,
)
_POSITIVE_VERBS = ("vượt", "tăng", "cao hơn", "nhiều hơn")

# Sentence ends: a newline, or . ! ? … followed by a space (a decimal dot never is).
_SENT_END_RE = re.compile(r"\n|[.!?…](?=\s|$)")
_CLAUSE_END_RE = re.compile(r"\n|[.!?…](?=\s|$)|[;:]")
_RATE_INTRO_RE = re.compile(
    r"(?:tỷ lệ|tỉ lệ|chiếm|bằng|đạt|=|\(|,)\s*(?:là|đạt|:)?\s*$", re.IGNORECASE
)


_PAREN_RE = re.compile(r"\([^()]*\)")
_RATE_ONLY_RE = re.compile(
    r"^\s*,?\s*(?:và\s+)?(?:đạt|chiếm|bằng)?\s*(?:tỷ lệ|tỉ lệ)\s*(?:là|đạt|:)?\s*$"
    r"|[,;(]\s*(?:đạt|chiếm)\s*(?:tỷ lệ|tỉ lệ)\s*(?:là|:)?\s*$",
    re.IGNORECASE,
)
_NOT_SAME_BASE_RE = re.compile(
    r"(?<!\w)(?:trong đó|trong số|gồm|so với|tăng|giảm|trên tổng|của|riêng|năm)(?!\w)",
    re.IGNORECASE,
)


class _Boundaries:
    """Positions of sentence and clause ends, searched with bisect."""

    def __init__(self, text: str) -> None:
        self.sent = [m.start() for m in _SENT_END_RE.finditer(text)]
        self.clause = [m.start() for m in _CLAUSE_END_RE.finditer(text)]

    def sentence_of(self, pos: int) -> int:
        return bisect.bisect_left(self.sent, pos)

    def clause_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.clause, pos)
        return self.clause[i - 1] + 1 if i else 0

    def clause_end(self, pos: int, length: int) -> int:
        i = bisect.bisect_left(self.clause, pos)
        return self.clause[i] if i < len(self.clause) else length


def _glued_before(text: str, s: int) -> bool:
    """A number glued to a word or code ("truy cập150", "Covid-19", "GMT+7", "4.0.1")."""
    if s == 0:
        return False
    c1 = text[s - 1]
    if c1.isalnum() or c1 == "_":
        return True
    if c1 in "./,:-+#_&" and s >= 2:
        c2 = text[s - 2]
        if c1 in ",;" and c2.isalpha() and c2.islower():
            return False  # "đã đạt chuẩn,140/148 trường": a space lost after a comma
        return c2.isalnum()
    return False


def _to_float(d: Decimal) -> float:
    return float(d)


@dataclass
class _Unit:
    unit: str
    end: int
    factor: int = 1
    counted: str | None = None


def _unit_after(text: str, e: int, cfg: Config, before: str) -> _Unit | None:
    m = _PCT_RE.match(text, e)
    if m:
        return _Unit("percent", m.end())
    m = _MONEY_RE.match(text, e)
    if m:
        factor = MULTIPLIERS[m.group(1).lower()] if m.group(1) else 1
        return _Unit("VND", m.end(), factor)
    m = _MULT_RE.match(text, e)
    if m:
        factor = MULTIPLIERS[m.group(1).lower()]
        n = cfg.counted_re.match(text, m.end())
        if n:
            return _Unit("count", n.end(), factor, n.group(1).lower())
        unit = "VND" if _MONEY_CONTEXT_RE.search(before) else "other"
        return _Unit(unit, m.end(), factor)
    m = cfg.counted_re.match(text, e)
    if m and m.start(1) == e and text[e].isupper() and not m.group(1).isupper():
        m = None  # "2018-2019Trường": a capitalised word glued on starts the next sentence
    if m:
        end = m.end()
        counted = m.group(1).lower()
        if end < len(text) and text[end] == "/":
            if _TIME_UNIT_AFTER_SLASH_RE.match(text, end):
                # "2 buổi/ngày", "35 tiết/tuần": a schedule, not an amount.
                return None
            r = _RATE_SLASH_RE.match(text, end)
            if r and cfg.counted_re.match(" " + r.group(1)):
                # "35 học sinh/lớp", "1,5 giáo viên/lớp": a ratio, kept as "other".
                return _Unit("other", r.end(), 1, f"{counted}/{r.group(1).strip().lower()}")
        return _Unit("count", end, 1, counted)
    m = cfg.measure_re.match(text, e)
    if m:
        return _Unit("other", m.end(), 1, m.group(1).lower())
    return None


def _count_value(token: str, value: Decimal) -> Decimal:
    """ "1,234 học sinh": nobody counts fractional pupils, so a single comma before exactly
    three digits is an English thousands separator here."""
    if "," in token and "." not in token and " " not in token:
        int_part, frac = token.split(",", 1)
        if len(frac) == 3:
            return Decimal(int_part + frac)
    return value


# "thấp hơn 2,5%" is a comparison (a gap), not the bound "hơn".
_COMPARATIVE_RE = re.compile(r"(?<!\w)(?:thấp|cao|nhiều|ít|lớn|nhỏ)\s+hơn$", re.IGNORECASE)


def _bound(before: str) -> tuple[str, int]:
    """Bound from the words just before the number, and how many characters they take."""
    before = before[-24:]
    m = BOUND_BEFORE_RE.search(before)
    if not m or _COMPARATIVE_RE.search(before[: m.end(1)]):
        return "exact", 0
    return BOUND_WORDS[m.group(1).lower()], len(before) - m.start()


# ---------------------------------------------------------------- extraction


def _give_target(fact: Fact, target: Fact) -> None:
    """A stated target wins over one derived from a gap ("vượt 1,1% kế hoạch"); the gap is
    then checked against it."""
    fact.stated_target = target.value
    fact.target_fact = target
    fact.target = target.value
    fact.target_quote = target.quote
    fact.target_decimals = target.decimals
    fact.target_range = target.range


class _Extractor:
    def __init__(self, text: str, cfg: Config) -> None:
        self.text = text
        self.cfg = cfg
        self.bounds = _Boundaries(text)
        self.facts: list[Fact] = []
        self.pending_target: Fact | None = None

    # -- helpers
    def _before(self, s: int, width: int = 60) -> str:
        return self.text[max(0, s - width) : s]

    def _prev_in_sentence(self, s: int, max_gap: int = 120) -> Fact | None:
        if not self.facts:
            return None
        prev = self.facts[-1]
        if prev.sentence != self.bounds.sentence_of(s) or s - prev.end > max_gap:
            return None
        return prev

    def _unglued(self, s: int, e: int) -> bool:
        """A number glued to what precedes it that is still a count: the second half of a
        pair ("255 trẻ/08 lớp", "12 lớp/405 học sinh"), or a number that lost its space after
        a word ("có09 lớp"), when a counted noun follows it."""
        text = self.text
        c1 = text[s - 1]
        if c1 == "/":
            prev = self.facts[-1] if self.facts else None
            return (
                prev is not None
                and prev.end == s - 1
                and prev.unit == "count"
                and prev.numerator is None
                and bool(self.cfg.counted_re.match(text, e))
            )
        return c1.isalpha() and c1.islower() and bool(self.cfg.counted_re.match(text, e))

    # -- recognisers: each returns (fact or None, position the scan may resume from)
    def run(self) -> list[Fact]:
        text = self.text
        resume = 0
        for m in NUMBER_RE.finditer(text):
            s, e = m.span()
            if s < resume or (_glued_before(text, s) and not self._unglued(s, e)):
                continue
            excluded = _EXCLUDED_AT_RE.match(text, s)
            if excluded:
                resume = excluded.end()
                continue
            token = m.group()
            digits = token.replace(".", "").replace(",", "").replace(" ", "")
            if token[0] == "0" and len(digits) >= 4 and "," not in token:
                continue  # phone numbers and codes ("0236", "0912.345.678")
            before = self._before(s)
            # Patterns anchored at "$" cost one attempt per character: give them short tails.
            tail = before[-24:]
            block = _PREV_BLOCK_RE.search(tail)
            if block and not (
                (
                    block.group("w").lower() == "số"
                    and _TOTAL_SO_RE.search(tail)
                    and not _NAME_TONG_SO_RE.search(tail)
                )
                or (block.group("w").lower() in _SMALL_LABELS and parse_decimal(token) > 60)
            ):
                continue
            fact, resume_at = self._fraction(m, before)
            if resume_at is None:
                fact, resume_at = self._range(m, before)
            if resume_at is None:
                fact, resume_at = self._single(m, before)
            resume = max(resume, resume_at or e)
            if fact is not None:
                self._add(fact)
        for k, fact in enumerate(self.facts):
            prev_end = self.facts[k - 1].end if k else 0
            next_start = self.facts[k + 1].start if k + 1 < len(self.facts) else len(text)
            self._annotate(fact, prev_end, next_start)
        return self.facts

    def _fraction(self, m: re.Match, before: str) -> tuple[Fact | None, int | None]:
        text = self.text
        f = _FRAC_RE.match(text, m.end())
        if not f:
            return None, None
        fe = f.end()
        nxt = text[fe : fe + 1]
        if nxt in ("/",) or (nxt.isalnum()):
            return None, fe  # a date or code: 20/1/2022, 12/KH
        num = parse_decimal(m.group())
        den = parse_decimal(f.group(1))
        if _DATEISH_PREV_RE.search(before[-12:]) and num <= 31 and den <= 12:
            return None, fe  # "ngày 20/1"
        unit = _unit_after(text, fe, self.cfg, before)
        counted = None
        end = fe
        if unit is not None and unit.unit == "count":
            counted, end = unit.counted, unit.end
        elif unit is not None:
            return None, fe
        else:
            # No noun: keep it only when a rate follows ("159.493/156.911 (đạt tỉ lệ 101,65%)")
            # or precedes ("đạt 98,5% (197/200)").
            after = text[fe : fe + 45]
            cut = re.split(r"[;\n]|\.(?=\s)", after, maxsplit=1)[0]
            prev = self._prev_in_sentence(m.start(), 25)
            if not (
                re.search(rf"(?:{NUMBER_PATTERN})\s?%", cut)
                or (prev is not None and prev.unit == "percent")
            ):
                return None, fe
        value = _count_value(m.group(), num)
        bound, blen = _bound(before)
        start = m.start() - blen
        fact = Fact(
            quote=text[start:end],
            start=start,
            end=end,
            value=_to_float(value),
            unit="count",
            numerator=_to_float(value),
            denominator=_to_float(_count_value(f.group(1), den)),
            bound=bound,
            counted=counted,
            num_start=m.start(),
        )
        prev = self._prev_in_sentence(m.start(), 25)
        if prev is not None and prev.unit == "percent" and prev.numerator is None:
            between = text[prev.end : m.start()]
            if re.fullmatch(r"\s*[(,:]?\s*", between) and not prev.is_target:
                prev.numerator, prev.denominator = fact.numerator, fact.denominator
                prev.ratio_link = "strong"
                prev.ratio_quote = fact.quote
                fact.ratio_used = True
        return fact, end

    def _range(self, m: re.Match, before: str) -> tuple[Fact | None, int | None]:
        text = self.text
        sep = _RANGE_SEP_RE.match(text, m.end())
        if not sep:
            return None, None
        m2 = NUMBER_RE.match(text, sep.end())
        if not m2:
            return None, None
        e2 = m2.end()
        if _AGE_AFTER_RE.match(text, e2):
            return None, e2  # "6-10 tuổi"
        a, b = parse_decimal(m.group()), parse_decimal(m2.group())
        unit = _unit_after(text, e2, self.cfg, before)
        if unit is None:
            return None, e2  # "2019-2020", "trang 3-5"
        if a > b:
            return None, None  # not a range: read the first number on its own
        if unit.unit == "count" and "%" in sep.group():
            return None, None
        tail = before[-8:]
        frm = _FROM_BEFORE_RE.search(tail)
        lead = len(tail) - frm.start() if frm else 0
        bound, blen = _bound(before[: len(before) - lead] if lead else before)
        start = m.start() - lead - blen
        fa, fb = a * unit.factor, b * unit.factor
        fact = Fact(
            quote=text[start : unit.end],
            start=start,
            end=unit.end,
            value=_to_float(fa),
            unit=unit.unit,
            bound=bound,
            range=(_to_float(fa), _to_float(fb)),
            counted=unit.counted,
            decimals=max(decimal_places(m.group()), decimal_places(m2.group())),
            num_start=m.start(),
            factor=unit.factor,
        )
        return fact, unit.end

    def _single(self, m: re.Match, before: str) -> tuple[Fact | None, int | None]:
        text = self.text
        s, e = m.span()
        token = m.group()
        value = parse_decimal(token)
        unit = _unit_after(text, e, self.cfg, before)
        if unit is None:
            tail = before[-12:]
            muc = _MUC_BEFORE_RE.search(tail)
            if muc and _MUC_NAME_RE.search(self._before(s - len(tail) + muc.start(), 40)):
                # "PCGDTH mức độ 3": the level of a standard reached.
                start = s - (len(tail) - muc.start())
                fact = Fact(text[start:e], start, e, _to_float(value), "other", num_start=s)
                return fact, e
            if score(text, s, e, before, self.cfg.partition_re):
                return Fact(text[s:e], s, e, _to_float(value), "other", num_start=s), e
            prev = self._prev_in_sentence(s, 40)
            shape = bare_count(
                text, s, e, before, self.cfg.counted_re, prev is not None and prev.unit == "count"
            )
            if shape is None:
                return None, e
            bound, blen = _bound(before)
            value = _count_value(token, value)
            fact = Fact(
                text[s - blen : shape[0]],
                s - blen,
                shape[0],
                _to_float(value),
                "count",
                bound=bound,
                counted=shape[1],
                num_start=s,
            )
            return fact, shape[0]
        if unit.unit == "count":
            value = _count_value(token, value)
        bound, blen = _bound(before)
        start = s - blen
        fact = Fact(
            quote=text[start : unit.end],
            start=start,
            end=unit.end,
            value=_to_float(value * unit.factor),
            unit=unit.unit,
            bound=bound,
            counted=unit.counted,
            decimals=decimal_places(token),
            num_start=s,
            factor=unit.factor,
        )
        return fact, unit.end

    # -- what to do with a new figure: a gap to plan, a target, or a fact
    def _add(self, fact: Fact) -> None:
        text = self.text
        fact.sentence = self.bounds.sentence_of(fact.num_start)
        before = self._before(fact.start, 80)
        if self._gap(fact, before):
            return
        self._target(fact, before)
        # Percent after its fraction: "202/337 trường đạt chuẩn, tỷ lệ 59,94%". A fraction
        # serves one percent only, and never a target.
        prev = self._prev_in_sentence(fact.start, 90)
        if (
            fact.unit == "percent"
            and not fact.is_target
            and prev is not None
            and prev.numerator is not None
            and prev.unit == "count"
            and not prev.ratio_used
        ):
            between = text[prev.end : fact.start]
            if ";" not in between and len(between.split()) <= 8:
                fact.numerator, fact.denominator = prev.numerator, prev.denominator
                strong = _RATE_INTRO_RE.search(between) and len(between.split()) <= 5
                fact.ratio_link = "strong" if strong else "weak"
                fact.ratio_quote = prev.quote
                prev.ratio_used = True
        if fact.unit == "percent" and not fact.is_target and fact.numerator is None:
            self._far_fraction(fact)
        self.facts.append(fact)

    def _far_fraction(self, fact: Fact) -> None:
        """ "35/63 tỉnh được công nhận đạt chuẩn … mức độ 3, đạt tỷ lệ 54%", "13.647/13.711 thí
        sinh tốt nghiệp (bao gồm cả thí sinh tự do); đạt tỷ lệ 99,56%": a rate introduced as
        such, with no subject of its own, is the rate of the fraction its clause opened with."""
        for prev in reversed(self.facts):
            if prev.sentence != fact.sentence or fact.start - prev.end > 200:
                return
            if prev.unit == "other" and prev.counted is None:
                continue  # "mức độ 3": names what was counted
            if prev.unit != "count" or prev.numerator is None or prev.ratio_used:
                return
            bare = _PAREN_RE.sub(" ", self.text[prev.end : fact.start])
            if len(bare.split()) > 20 or _NOT_SAME_BASE_RE.search(bare):
                return
            if not _RATE_ONLY_RE.search(bare.rsplit(";", 1)[-1]):
                return
            fact.numerator, fact.denominator = prev.numerator, prev.denominator
            fact.ratio_link = "strong"
            fact.ratio_quote = prev.quote
            prev.ratio_used = True
            return

    def _gap(self, fact: Fact, before: str) -> bool:
        """ "(vượt 1,1% kế hoạch)": a distance to plan, folded into the figure before it."""
        before = before[-48:]
        verb = _GAP_VERB_BEFORE_RE.search(before)
        if not verb:
            return False
        if not verb.group("plan") and not _PLAN_AFTER_RE.match(self.text, fact.end):
            return False
        prev = self._prev_in_sentence(fact.start, 80)
        if prev is None or prev.is_target or prev.gap is not None:
            return False
        verb_start = fact.start - (len(before) - verb.start())
        if not _GAP_JOIN_RE.fullmatch(self.text[prev.end : verb_start]):
            # Only a gap written right after its figure belongs to it ("đạt 51,6% (vượt 1,1%
            # kế hoạch)"); "..., còn thiếu 55 giáo viên so với kế hoạch" is a figure of its own.
            return False
        sign = 1 if verb.group("verb").lower() in _POSITIVE_VERBS else -1
        g = Decimal(str(fact.value)) * sign
        pv = Decimal(str(prev.value))
        if fact.unit == prev.unit:
            target = pv - g
        elif fact.unit == "percent" and prev.unit in ("count", "VND"):
            target = (pv / (1 + g / 100)).quantize(Decimal("0.01"))
        else:
            return False
        prev.gap, prev.gap_unit = float(g), fact.unit
        plan = _PLAN_AFTER_RE.match(self.text, fact.end)
        end = plan.end() if plan else fact.end
        start = fact.start - (len(before) - verb.start())
        prev.gap_quote = self.text[start:end]
        prev.gap_decimals = fact.decimals
        if prev.stated_target is None:
            prev.target = float(target)
            prev.target_decimals = max(prev.decimals, fact.decimals)
        return True

    def _target(self, fact: Fact, before: str) -> None:
        """ "chỉ tiêu giao là 81%", "chỉ tiêu Nghị quyết năm (60-65%)": a figure that states a
        target. It keeps its own value and gives the target to the nearest actual figure."""
        prev = self.facts[-1] if self.facts else None
        region_start = max(
            self.bounds.clause_start(fact.num_start),
            prev.end if prev is not None else 0,
            fact.start - 80,
        )
        region = self.text[region_start : fact.start]
        low = region.lower()
        has_kw = "chỉ tiêu" in low or "kế hoạch" in low or "mục tiêu" in low or "kh" in low
        kw = _TARGET_KW_RE.search(region) if has_kw else None
        if kw and not _TARGET_TAIL_BLOCK_RE.search(kw.group("tail")):
            fact.is_target = True
            fact.target = fact.value
            fact.target_decimals = fact.decimals
            for other in reversed(self.facts):
                if other.sentence != fact.sentence:
                    break
                if other.unit == fact.unit and not other.is_target:
                    if other.stated_target is None:
                        _give_target(other, fact)
                    break
            else:
                self.pending_target = fact
            return
        pending = self.pending_target
        if pending is not None and pending.sentence == fact.sentence and pending.unit == fact.unit:
            _give_target(fact, pending)
            self.pending_target = None

    # -- level and indicator, from the words around the figure
    def _annotate(self, fact: Fact, prev_end: int, next_start: int) -> None:
        """Level and indicator from the words between the neighbouring figures: a level named
        right after the noun ("26 trường Tiểu học"), else the words before the figure ("THCS
        thừa 85 giáo viên"), else those after it ("65 điểm cầu các trường MN, TH, THCS")."""
        text, cfg = self.text, self.cfg
        cs = max(self.bounds.clause_start(fact.num_start), fact.start - 150)
        ce = min(self.bounds.clause_end(fact.end, len(text)), fact.end + 45)
        near_left = text[max(cs, prev_end) : fact.start] + " " + fact.quote
        near_right = text[fact.end : max(fact.end, min(ce, next_start))]
        # "26 trường Tiểu học": a level right after the noun belongs to it.
        after_noun = near_right[:20] if fact.counted else ""
        for window in (after_noun, near_left, near_right):
            found = {m.lastgroup for m in cfg.levels_re.finditer(window)}
            if len(found) > 1 or cfg.all_levels_re.search(window):
                fact.level = "all"
            elif found:
                fact.level = found.pop()
            if fact.level:
                break
        lf, rf = fast_fold(text[cs : fact.start]), fast_fold(text[fact.end : ce])
        best: tuple[int, str] | None = None
        for part, is_left in ((lf, True), (rf, False)):
            for km in cfg.indicator_re.finditer(part):
                dist = len(part) - km.end() if is_left else km.start()
                if dist > 90:
                    continue  # too far to be what the figure measures
                for code, units in cfg.indicator_map.get(km.group(), ()):
                    if fact.unit in units and (best is None or dist < best[0]):
                        best = (dist, code)
        if best is not None:
            fact.indicator = best[1]


def extract_facts(text: str, config: Config | None = None) -> list[Fact]:
    """Every figure of the text, in order. Offsets refer to nfc(text)."""
    return _Extractor(nfc(text), config or load_config()).run()
