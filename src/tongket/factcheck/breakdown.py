"""Breakdowns: parts that must add up to their total.

A breakdown is a total followed by its parts, wherever the parts stand:

- after a marker in the same sentence ("369 trường, trong đó 120 trường mầm non, …"; "gồm",
  "bao gồm", "chia ra", "cụ thể", "phân theo");
- in a parenthesis right after the total ("23 trường (7 trường mầm non, 9 trường tiểu học …)");
- after a marker that opens the next sentence or a list on the next lines ("… 255 trẻ/08 lớp.
  Trong đó:" then one line per age group);
- in the next sentence without a marker, when each part is named by a different level, age
  group, district or subject ("Toàn tỉnh có 369 trường. Mầm non 120 trường, tiểu học …").

Parts may be bare numbers when each is named ("thiếu 198 giáo viên (trong đó Toán 160, Tiếng
Anh 82)"): they count in the total's unit. A fraction total ("324/590 trường") is checked on
its numerators and on its denominators.

Severity. Parts of one whole can only exceed it when they overlap (women and party members
among teachers), so a list is *hard* when it cannot overlap: a closed list ("gồm", "chia ra"),
money, a single part larger than the whole, or parts each named by a different level, age
group, district or subject (a partition). Parts short of the total are hard for a closed list,
or for a partition proved complete by a sibling quantity of the same list that adds up exactly
(children add up, classes do not). Everything else that fails is soft.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from tongket.factcheck.common import (
    Issue,
    _d,
    _fmt,
    _is_change,
    _lemma,
    _paren_close,
    _resolution,
    _sentence_end,
)
from tongket.factcheck.extract import Config, Fact
from tongket.factcheck.numbers import NUMBER_RE, decimal_places, parse_decimal

_MARKER_RE = re.compile(
    r"(?<!\w)(trong đó|trong số đó|chia ra|bao gồm|gồm có|gồm|cụ thể là|cụ thể|phân theo"
    r"|chia theo)(?!\w)",
    re.IGNORECASE,
)
_CLOSED = ("chia ra", "bao gồm", "gồm có", "gồm", "chia theo", "phân theo")
_SENT_END_RE = re.compile(r"\n|[.!?…](?=\s|$)")
_UPPER = "A-ZĐÁÀẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ"
# "huyện Mường Nhé", "xã Na Sang", "TP. Điện Biên Phủ": one district or commune each.
_PLACE_RE = re.compile(
    rf"(?<!\w)(?i:huyện|quận|thị xã|thành phố|tp\.?|xã|phường|thị trấn)\s+"
    rf"(?P<name>[{_UPPER}][^\W\d_]*(?:\s+[{_UPPER}][^\W\d_]*){{0,3}})"
)
# A school counted once per level it teaches: a level split may pass the school total.
_COMBINED_RE = re.compile(
    r"liên cấp|nhiều cấp|(?<!\w)(?:TH|THCS)\s*(?:&|và|-|,)\s*(?:THCS|THPT)(?!\w)",
    re.IGNORECASE,
)
_LIST_BULLET_RE = re.compile(r"[ \t]*([-+•*–.]|[a-zđ]\)|\d+[.)])")
_ITEM_SEP_RE = re.compile(r"[,;)\n]|\s(?:và)\s")
# A named bare number: "Toán 160", "Tiếng Anh: 82", "huyện A là 12".
_BARE_AFTER_RE = re.compile(r"\s*(?:$|[,;.)]|\s(?:và|,)(?!\w))")
_BARE_BEFORE_RE = re.compile(r"\s*(?::|là|có|thiếu|thừa)?\s*$", re.IGNORECASE)
_TRAILING_ASIDE_RE = re.compile(r"\s*\([^()]*\)\s*(?=(?::|là|có)?\s*$)")
# "môn khác 17", "Các môn lựa chọn 8": a subject named by the word "môn".
_SUBJECT_WORD_RE = re.compile(r"(?<!\w)(?:môn|bộ môn)\s+[^\W\d]+(?:\s+[^\W\d]+)?$", re.I)
# "… giáo viên Văn hóa 31", "Hà Nội 125": a capitalised name right before the number.
_PROPER_NAME_RE = re.compile(rf"(?:^|[\s,;:(])(?-i:[{_UPPER}])[^\W\d]*(?:\s+[^\W\d]+){{0,4}}$")
_LABEL_WORD_BEFORE_RE = re.compile(
    r"(?<!\w)(?:năm|số|lớp|khối|điều|khoản|mục|tháng|ngày|quý|lần|thứ|khóa|khoá|kỳ|kì)\s*$",
    re.IGNORECASE,
)
_SUBJECT_ANY_RE = re.compile(r"(?<!\w)(?:môn|bộ môn)\s+[^\W\d]+", re.IGNORECASE)
_OTHER_TIME_RE = re.compile(
    r"(?<!\w)(?:năm|so với|trước|sau|kế hoạch|chỉ tiêu|mục tiêu|dự kiến|đầu|cuối)(?!\w)",
    re.IGNORECASE,
)
# "23 trường (…)", "75 cán bộ, giáo viên, nhân viên (…)": the parenthesis right after the
# total, or after the words that finish naming it.
_PAREN_AFTER_RE = re.compile(r"(?:[\s,]+[^\W\d]+){0,6}?\s*\(")
_EACH_BEFORE_RE = re.compile(r"(?<!\w)(?:mỗi|từng|bình quân|trung bình)(?!\w)[^.;,\n]*$", re.I)
# "5 trường THCS (cả huyện 30 trường)": a wider whole in the aside, not a part.
_WIDER_RE = re.compile(r"(?<!\w)(?:cả|toàn|tổng|trên|của)(?!\w)", re.IGNORECASE)
_SCOPE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:toàn ngành|toàn tỉnh|toàn huyện|toàn thành phố|toàn thị xã|toàn xã|toàn quận"
    r"|tổng số|có tổng|tổng cộng)(?!\w)[^.;\n]{0,40}$",
    re.IGNORECASE,
)


@dataclass
class _Part:
    fact: Fact
    value: Decimal
    den: Decimal | None


def _labels(cfg: Config, segment: str) -> set[str]:
    found = {lvl for lvl, rx in cfg.level_res if rx.search(segment)}
    found |= {m.group().lower() for m in cfg.partition_re.finditer(segment)}
    found |= {"place:" + m.group("name").lower() for m in _PLACE_RE.finditer(segment)}
    found |= {"subject:" + m.group().lower() for m in _SUBJECT_ANY_RE.finditer(segment)}
    return found


def _label_ends(cfg: Config, segment: str) -> bool:
    """The segment ends with a name (level, age group, subject, place) right before a number."""
    tail = _TRAILING_ASIDE_RE.sub("", segment[-80:])[-40:]  # "Văn hóa (giáo viên dạy lớp) 31"
    m = _BARE_BEFORE_RE.search(tail)
    head = tail[: m.start()] if m else tail
    if _LABEL_WORD_BEFORE_RE.search(head):
        return False  # "năm 2024", "Điều 5", "lớp 6": a label's number, not a part
    if _SUBJECT_WORD_RE.search(head) or _PROPER_NAME_RE.search(head):
        return True
    for rx in (cfg.levels_re, cfg.partition_re):
        for hit in rx.finditer(head):
            if hit.end() == len(head):
                return True
    return any(p.end() == len(head) for p in _PLACE_RE.finditer(head))


def _list_end(text: str, pos: int) -> int:
    """End of a list on the lines after `pos` ("Trong đó:" then one item a line): the lines
    that start with the first item's bullet, at most 15."""
    nl = text.find("\n", pos)
    if nl < 0 or text[pos:nl].strip(" :\t"):
        return -1
    first = _LIST_BULLET_RE.match(text, nl + 1)
    if not first:
        return -1
    bullet = first.group(1)[0]
    end = nl
    for _ in range(15):
        if end >= len(text) - 1:
            break
        m = _LIST_BULLET_RE.match(text, end + 1)
        if not m or m.group(1)[0] != bullet:
            break
        nxt = text.find("\n", end + 1)
        end = nxt if nxt >= 0 else len(text)
    return end


class _Breakdowns:
    def __init__(self, text: str, facts: list[Fact], cfg: Config) -> None:
        self.text, self.facts, self.cfg = text, facts, cfg
        self.starts = [f.start for f in facts]
        self.issues: list[Issue] = []
        self.seen: set[tuple[int, int]] = set()  # (total start, first part start)
        self.incomplete: set[int] = set()  # totals whose list holds an item not read

    def sentence_start(self, pos: int) -> int:
        text = self.text
        best = 0
        for m in _SENT_END_RE.finditer(text, max(0, pos - 400), pos):
            best = m.end()
        return best

    # -- totals
    def totals_before(self, pos: int, floor: int) -> list[Fact]:
        """The figures a breakdown at `pos` can split: the last one before it (a change, a
        target or a rate tied to a fraction is skipped), with the figures of other nouns just
        before it in the same clause ("255 trẻ/08 lớp")."""
        i = bisect.bisect_left(self.starts, pos) - 1
        facts, text = self.facts, self.text
        out: list[Fact] = []
        keys: set[tuple[str, str | None]] = set()
        while i >= 0 and facts[i].start >= floor and pos - facts[i].end <= 150:
            f = facts[i]
            i -= 1
            if f.end > pos or f.is_target or _is_change(text, f, shortage=False):
                continue
            if not out and ";" in text[f.end : pos]:
                break  # the total stands in the marker's own clause
            after = text[f.end : pos]
            if after.count(")") > after.count("("):
                continue  # an aside in a closed parenthesis: "40 trường (có 3 … liên cấp), …"
            if _EACH_BEFORE_RE.search(text[max(0, f.start - 40) : f.start]):
                break  # "mỗi đơn vị có 1 giải": a figure per item, never a whole
            if f.unit == "percent" or f.range is not None:
                if out or f.numerator is None:
                    break  # a rate of its own: what follows splits the rate, not a count
                continue
            key = (f.unit, _lemma(f.counted))
            if key in keys:
                break
            if out and (";" in text[f.end : out[-1].start] or len(out) >= 3):
                break
            keys.add(key)
            out.append(f)
        return out

    # -- parts
    def parts_for(self, total: Fact, lo: int, hi: int) -> list[_Part]:
        text, facts = self.text, self.facts
        parts: list[_Part] = []
        for f in facts[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]:
            if f.is_target or f.unit != total.unit or f.range is not None:
                continue
            if (total.numerator is None) != (f.numerator is None):
                continue
            if (
                f.unit == "count"
                and _lemma(f.counted) != _lemma(total.counted)
                and (f.counted is not None or total.counted is None)
            ):
                continue  # another noun; a count with no noun may belong to the total's
            inner = text[lo : f.start]
            if inner.count("(") > inner.count(")"):
                continue  # a nested breakdown of a part, not a part
            if _is_change(text, f):
                continue
            den = _d(f.denominator) if f.denominator is not None else None
            parts.append(_Part(f, _d(f.value), den))
        if total.unit == "count" and total.numerator is None and total.counted:
            parts = self.bare_parts(total, lo, hi, parts)
        return parts

    def bare_parts(self, total: Fact, lo: int, hi: int, parts: list[_Part]) -> list[_Part]:
        """Named bare numbers in the list ("Toán 160, Tiếng Anh 82"): parts in the total's
        unit, only where no figure with a unit was found for that noun."""
        if parts:
            return parts
        text = self.text
        found: list[_Part] = []
        for m in NUMBER_RE.finditer(text, lo, hi):
            s, e = m.span()
            k = bisect.bisect_left(self.starts, e) - 1
            if k >= 0 and self.facts[k].end > s:
                continue  # part of a figure already read
            inner = text[lo:s]
            if inner.count("(") > inner.count(")"):
                continue
            if not _BARE_AFTER_RE.match(text, e):
                continue
            if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "/-"):
                continue
            if not _label_ends(self.cfg, text[lo:s]):
                self.incomplete.add(total.start)  # an item not recognised: the sum is partial
                continue
            value = parse_decimal(m.group())
            fact = replace(
                total,
                quote=m.group(),
                start=s,
                end=e,
                value=float(value),
                decimals=decimal_places(m.group()),
                num_start=s,
                factor=1,
                bound="exact",
            )
            found.append(_Part(fact, value, None))
        return found

    def segments(self, lo: int, parts: list[_Part]) -> list[str]:
        """The words that name each part: from the end of the previous item to the separator
        after this part's figure."""
        text = self.text
        out = []
        start = lo
        for k, p in enumerate(parts):
            limit = parts[k + 1].fact.start if k + 1 < len(parts) else p.fact.end + 40
            sep = _ITEM_SEP_RE.search(text, p.fact.end, max(p.fact.end, limit))
            end = sep.start() if sep else max(p.fact.end, min(limit, len(text)))
            out.append(text[start:end])
            start = max(end, p.fact.end)
        return out

    # -- one breakdown
    def check(
        self,
        totals: list[Fact],
        lo: int,
        hi: int,
        closed: bool,
        named_only: bool,
        aside: bool = False,
    ) -> None:
        """Check the parts in text[lo:hi] against each total. `named_only`: without a marker,
        only parts each named by a different level, group or place count; `aside`: the parts
        stand in a parenthesis right after the total, where one part may stand alone."""
        results = []
        for total in totals:
            parts = self.parts_for(total, lo, hi)
            if not parts:
                continue
            key = (total.start, parts[0].fact.start)
            if key in self.seen:
                continue
            segs = self.segments(lo, parts)
            labels = [_labels(self.cfg, s) for s in segs]
            partition = len(parts) >= 2 and all(labels) and len(set().union(*labels)) >= len(parts)
            lone = aside and self._lone_excess(total, parts, lo, hi)
            if named_only and not partition and not lone:
                continue
            self.seen.add(key)
            results.append((total, parts, partition, segs))
        # A quantity of the same list that adds up exactly proves the list complete: the
        # children add up but the classes do not; the numerators add up but the denominators
        # do not.
        sums = [(t, self._diffs(t, parts)) for t, parts, _, _ in results]
        complete = {id(t) for t, d in sums if abs(d[0][0]) <= d[0][1]}
        for (total, parts, partition, _), (_, diffs) in zip(results, sums, strict=True):
            sibling_ok = any(id(t) in complete for t, _, _, _ in results if t is not total)
            combined = bool(_COMBINED_RE.search(self.text[max(0, total.start - 80) : hi]))
            for which, (diff, tol) in zip(("num", "den"), diffs, strict=True):
                if abs(diff) <= tol:
                    continue
                other_ok = which == "den" and id(total) in complete
                self._report(
                    total,
                    parts,
                    which,
                    diff,
                    closed,
                    partition,
                    sibling_ok or other_ok,
                    combined,
                    named_only,
                )

    def _lone_excess(self, total: Fact, parts: list[_Part], lo: int, hi: int) -> bool:
        """ "02 lớp (03 lớp bán trú)": one part of the same noun, larger than its whole, in a
        parenthesis that speaks of no other time or plan."""
        return (
            len(parts) == 1
            and parts[0].value > _d(total.value)
            and not _OTHER_TIME_RE.search(self.text[lo:hi])
            and not _WIDER_RE.search(self.text[lo:hi])
        )

    def _diffs(self, total: Fact, parts: list[_Part]) -> list[tuple[Decimal, Decimal]]:
        """(sum of parts − total, tolerance) for the values, then for the denominators."""
        tol = _resolution(total) + sum((_resolution(p.fact) for p in parts), Decimal(0))
        num = sum((p.value for p in parts), Decimal(0)) - _d(total.value)
        den = Decimal(0)
        if total.denominator is not None and all(p.den is not None for p in parts):
            den = sum((p.den or Decimal(0) for p in parts), Decimal(0)) - _d(total.denominator)
        return [(num, tol), (den, Decimal(0))]

    def _report(
        self,
        total: Fact,
        parts: list[_Part],
        which: str,
        diff: Decimal,
        closed: bool,
        partition: bool,
        sibling_ok: bool,
        combined: bool,
        named_only: bool,
    ) -> None:
        stated_v = _d((total.denominator or 0.0) if which == "den" else total.value)
        values = [(p.den if which == "den" else p.value) or Decimal(0) for p in parts]
        biggest = max(values)
        if diff > 0:
            if len(parts) == 1 or biggest > stated_v or closed or total.unit == "VND":
                severity = "hard"  # a part larger than its whole, a closed list, money
            elif partition:
                severity = "soft" if combined else "hard"
            else:
                severity = "soft"
        else:
            if len(parts) < 2 or total.start in self.incomplete:
                return  # one part of a whole, or a list not fully read: not a breakdown
            if (closed and not named_only) or (partition and sibling_ok):
                severity = "hard"
            elif partition:
                severity = "soft"
            else:
                return
        kind = "count_mismatch" if len(parts) == 1 and diff > 0 else "sum_mismatch"
        unit = "đồng" if total.unit == "VND" else (total.counted or "")
        expected = stated_v + diff
        joined = " + ".join(_fmt(v) for v in values)
        what_vi = "mẫu số " if which == "den" else ""
        what_en = "denominators " if which == "den" else ""
        vi = (
            f"Các phần ({what_vi}{joined}) = {_fmt(expected)} {unit} nhưng tổng ghi là "
            f"{_fmt(stated_v)} {unit} (lệch {_fmt(abs(diff))})."
        )
        en = (
            f"The parts ({what_en}{joined}) add up to {_fmt(expected)} {unit} but the stated "
            f"total is {_fmt(stated_v)} {unit} (off by {_fmt(abs(diff))})."
        )
        if kind == "count_mismatch":
            vi = f"Một phần ({joined} {unit}) lớn hơn tổng của nó ({_fmt(stated_v)} {unit})."
            en = f"A part ({joined} {unit}) is larger than its whole ({_fmt(stated_v)} {unit})."
        self.issues.append(
            Issue(
                kind,
                severity,
                [total.quote, *(p.fact.quote for p in parts)],
                float(stated_v),
                float(expected),
                " ".join(vi.split()),
                " ".join(en.split()),
            )
        )

    # -- where breakdowns stand
    def run(self) -> list[Issue]:
        text = self.text
        markers = list(_MARKER_RE.finditer(text))
        for k, mk in enumerate(markers):
            p = mk.start()
            sent_start = self.sentence_start(p)
            opens_sentence = not text[sent_start:p].strip(" \t\n-+•*.(:,")
            if opens_sentence:
                floor = self.sentence_start(max(0, sent_start - 1))
                totals = self.totals_before(sent_start, floor)
            else:
                totals = self.totals_before(p, sent_start)
            if not totals:
                continue
            between = text[totals[0].end : p]
            list_end = _list_end(text, mk.end())
            if list_end >= 0:
                limit = list_end
            elif between.count("(") > between.count(")"):
                limit = _paren_close(text, mk.end(), len(text))
            else:
                limit = _sentence_end(text, mk.end())
                if k + 1 < len(markers):
                    limit = min(limit, markers[k + 1].start())
            semi = text.find(";", mk.end(), limit)
            if semi > 0 and bisect.bisect_left(self.starts, mk.end()) == bisect.bisect_left(
                self.starts, semi
            ):
                limit = semi  # "gồm Bảo Cường, Đồng Thịnh; 15 trường …": a list of names
            closed = mk.group(1).lower() in _CLOSED
            self.check(totals, mk.end(), limit, closed, named_only=False)
        # "23 trường (7 trường mầm non, 9 trường tiểu học và 7 trường THCS)"
        for f in self.facts:
            m = _PAREN_AFTER_RE.match(text, f.end, min(len(text), f.end + 60))
            if f.unit != "count" or f.numerator is not None or m is None:
                continue
            lo = m.end()
            hi = _paren_close(text, lo, min(len(text), lo + 400))
            right_after = not m.group().strip(" (")
            self.check([f], lo, hi, closed=False, named_only=True, aside=right_after)
        # "Toàn tỉnh có 369 trường. Mầm non 120 trường, tiểu học 150 trường, …"
        for f in self.facts:
            if f.unit != "count" or f.numerator is not None or f.bound != "exact":
                continue
            if not _SCOPE_BEFORE_RE.search(text[max(0, f.start - 60) : f.start]):
                continue
            end = _sentence_end(text, f.end)
            if text[f.end : end].strip(" ,") and len(text[f.end : end]) > 25:
                continue  # the total does not close its sentence
            lo = end + 1
            hi = _sentence_end(text, lo + 1)
            self.check([f], lo, hi, closed=False, named_only=True)
        return self.issues


def breakdown_checks(text: str, facts: list[Fact], cfg: Config) -> list[Issue]:
    """Every breakdown whose parts do not add up to its total."""
    return _Breakdowns(text, facts, cfg).run()
