"""What the checks share: the issue record, decimal helpers, nouns that name the same thing,
and the text positions (parentheses, sentence ends) that bound a list of parts."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from tongket.factcheck.extract import Fact
from tongket.factcheck.numbers import format_vn


@dataclass
class Issue:
    kind: str
    severity: str  # hard / soft
    quotes: list[str]
    stated: float | None
    expected: float | None
    message_vi: str
    message_en: str
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("spans")
        return out


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def _q(d: int) -> Decimal:
    return Decimal(1).scaleb(-d)


def _fmt(x: Decimal | float, d: int | None = None) -> str:
    return format_vn(_d(float(x)) if isinstance(x, float) else x, d)


def _resolution(f: Fact) -> Decimal:
    """Half of the last written digit, in base units, for figures that are visibly rounded
    ("10,2 tỷ", "45,2%"); zero for whole numbers written out in full, which must add exactly."""
    if f.unit == "percent" or f.factor != 1 or f.decimals:
        return _q(f.decimals) * f.factor / 2
    return Decimal(0)


_CHANGE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:tăng|giảm|hơn|thêm|bớt|so với|vượt|thiếu|thừa)\s+\S*\s*$", re.IGNORECASE
)


def _is_change(text: str, f: Fact, shortage: bool = True) -> bool:
    """A figure written as a change ("tăng 2 trường"). With shortage=False, "thiếu 46 giáo
    viên" / "thừa 12" count as amounts of their own (a total that can be broken down)."""
    m = _CHANGE_BEFORE_RE.search(text[max(0, f.start - 25) : f.start])
    if m is None:
        return False
    return shortage or not m.group().lower().startswith(("thiếu", "thừa"))


_SAME_COUNTED = {
    "em": "học sinh",
    "em học sinh": "học sinh",
    "hs": "học sinh",
    "lượt học sinh": "học sinh",
    "gv": "giáo viên",
    "nhà giáo": "giáo viên",
    "trường học": "trường",
    "cbql": "cán bộ quản lý",
    "cán bộ quản lí": "cán bộ quản lý",
    "lớp học": "lớp",
    "trẻ em": "trẻ",
    "cháu": "trẻ",
}


def _lemma(counted: str | None) -> str | None:
    return _SAME_COUNTED.get(counted, counted) if counted else None


def _paren_close(text: str, start: int, limit: int) -> int:
    depth = 0
    for i in range(start, min(limit, len(text))):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
    return limit


def _sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"\n|[.!?…](?=\s|$)").search(text, pos)
    return m.start() if m else len(text)
