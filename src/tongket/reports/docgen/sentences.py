"""Vietnamese sentences from report data, each number traced to its source.

Rules that keep the text honest:
- every number goes through tongket.core.vntext, so it reads "51,6%", "176.001.542.000";
- a sentence only prints numbers it was given, plus differences (gap to the target, change vs
  last year) computed once from the unrounded figures and rounded once, by the same rule as
  every other surface (tongket.core.definitions), so the dashboard and the report agree;
- the verdict (vượt / đạt / chưa đạt) is decided on the gap as printed, so the words never
  contradict the numbers next to them (50,46 against 50,5: a gap of 0,0, "đạt");
- percent differences are "điểm phần trăm", never "%", which would mean a relative change.
"""

from __future__ import annotations

from decimal import Decimal

from tongket.core import definitions
from tongket.core.vntext import format_number

from .model import (
    MONEY_SCALES,
    IndicatorResult,
    NextTarget,
    QualityOutlier,
    ReportingStatus,
    StaffingLine,
    Target,
    UnitFigure,
    UnitKind,
    UnitsBehind,
    Verdict,
)
from .trace import Text, check_text

Sentence = Text  # a sentence is a traced Text: str(s) is the sentence, s.traces its sources

_PP = "điểm phần trăm"
PREVIOUS_HEADER = "Năm trước"


def lower_first(name: str) -> str:
    """'Tỷ lệ huy động' -> 'tỷ lệ huy động' mid-sentence; leaves 'THCS ...' alone."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _scaled(value, kind: UnitKind, money_scale: str = "dong") -> Decimal:
    if kind is UnitKind.MONEY:
        return _dec(value) / MONEY_SCALES[money_scale][0]
    return _dec(value)


def shown(value, decimals: int, kind: UnitKind = UnitKind.COUNT, money_scale="dong") -> Decimal:
    """The value as printed (rounded half up like vntext), for comparisons and differences."""
    text = format_number(_scaled(value, kind, money_scale), decimals)
    return Decimal(text.replace(".", "").replace(",", "."))


def auto_decimals(value, cap: int) -> int:
    """Decimals a target needs: 60 -> 0, 50.5 -> 1 (capped), so ranges read "(60-65%)"."""
    exp = _dec(value).normalize().as_tuple().exponent
    return max(0, min(cap, -exp if isinstance(exp, int) else 0))


def fmt(value, kind: UnitKind, decimals: int, money_scale: str = "dong") -> str:
    """Format one figure for its kind: '51,6%', '1.250', '10,2' (money scaled, word apart)."""
    if kind is UnitKind.PERCENT:
        return _pct(value, decimals)
    return format_number(_scaled(value, kind, money_scale), decimals)


def _pct(value, decimals: int) -> str:
    # format_percent takes a float; Decimal input keeps 59.945 from becoming 59.94499...
    return format_number(_dec(value), decimals) + "%"


def unit_word(kind: UnitKind, label: str = "", money_scale: str = "dong") -> str:
    if kind is UnitKind.MONEY:
        return MONEY_SCALES[money_scale][1]
    if kind is UnitKind.PERCENT:
        return ""
    return label


def _diff_word(kind: UnitKind, label: str, money_scale: str) -> str:
    return _PP if kind is UnitKind.PERCENT else unit_word(kind, label, money_scale)


def _with_unit(t: Text, text: str, key: str, kind: UnitKind, word: str, dkind="data") -> Text:
    t.num(text, key, dkind)
    if word and kind is not UnitKind.PERCENT:
        t.lit(f" {word}")
    return t


# --------------------------------------------------------------------------- verdicts


def _target_shown(ind: IndicatorResult, value) -> tuple[str, Decimal]:
    dec = auto_decimals(_scaled(value, ind.unit_kind, ind.money_scale), ind.decimals)
    text = fmt(value, ind.unit_kind, dec, ind.money_scale)
    return text, shown(value, dec, ind.unit_kind, ind.money_scale)


def _scale(ind: IndicatorResult) -> float:
    return float(MONEY_SCALES[ind.money_scale][0]) if ind.unit_kind is UnitKind.MONEY else 1.0


def target_check(ind: IndicatorResult) -> definitions.TargetCheck | None:
    """Plan vs actual of the indicator, by the one rule of every surface (core.definitions):
    the gap from unrounded figures, the verdict on that gap as printed."""
    t = ind.target
    if t is None:
        return None
    target = (float(t.low or 0), float(t.high or 0)) if t.is_range else float(t.value or 0)
    return definitions.check_target(
        float(ind.value), target, ind.decimals, ind.higher_is_better, _scale(ind)
    )


def verdict(ind: IndicatorResult) -> Verdict | None:
    """vượt / đạt / chưa đạt; None without a target."""
    c = target_check(ind)
    return None if c is None or c.verdict is None else Verdict(c.verdict)


def signed_gap(ind: IndicatorResult) -> Decimal | None:
    """Value minus target (the nearest bound of a range; 0 inside it), rounded once."""
    c = target_check(ind)
    if c is None or c.gap is None:
        return None
    return definitions.rounded(c.gap / _scale(ind), ind.decimals)


def gap(ind: IndicatorResult) -> Decimal | None:
    """|value - target| for a single-value target (None for ranges), rounded once."""
    if ind.target is None or ind.target.is_range:
        return None
    g = signed_gap(ind)
    return None if g is None else abs(g)


def diff_text(d: Decimal) -> str:
    # A difference of printed figures has at most the decimals of the printed figures.
    exp = d.as_tuple().exponent
    decimals = max(0, -exp) if isinstance(exp, int) else 0
    return format_number(abs(d), decimals)


def target_numbers(t: Text, ind: IndicatorResult, target: Target, key: str) -> Text:
    """'50,5%' or '60-65%' (no source name): the summary table's plan column."""
    if target.is_range:
        lo, _ = _target_shown(ind, target.low)
        hi, _ = _target_shown(ind, target.high)
        return t.num(lo.rstrip("%"), f"{key}.target.low").lit("-").num(hi, f"{key}.target.high")
    return t.num(_target_shown(ind, target.value)[0], f"{key}.target.value")


def target_text(t: Text, ind: IndicatorResult, target: Target, key: str) -> Text:
    """'(50,5%)' or '(60-65%)' with the source name before it: 'kế hoạch (50,5%)'."""
    t.lit(target.source, f"{key}.target.source").lit(" (")
    if not ind.higher_is_better and not target.is_range:
        t.lit("không quá ")  # a ceiling: dropout, repeaters
    if target.is_range:
        lo, _ = _target_shown(ind, target.low)
        hi, _ = _target_shown(ind, target.high)
        t.num(lo.rstrip("%"), f"{key}.target.low")
        t.lit("-")
        _with_unit(t, hi, f"{key}.target.high", ind.unit_kind, _word(ind))
    else:
        val, _ = _target_shown(ind, target.value)
        _with_unit(t, val, f"{key}.target.value", ind.unit_kind, _word(ind))
    return t.lit(")")


def _word(ind: IndicatorResult) -> str:
    return unit_word(ind.unit_kind, ind.unit_label, ind.money_scale)


# --------------------------------------------------------------------------- section I


def _value_phrase(t: Text, ind: IndicatorResult, key: str) -> Text:
    name_key = f"{key}.name"
    value = fmt(ind.value, ind.unit_kind, ind.decimals, ind.money_scale)
    if ind.numerator is not None and ind.denominator is not None:
        # "Số trường đạt chuẩn quốc gia: 202/337 trường, tỷ lệ 59,94%"
        t.lit(ind.name, name_key).lit(": ")
        t.num(format_number(ind.numerator), f"{key}.numerator").lit("/")
        t.num(format_number(ind.denominator), f"{key}.denominator")
        if ind.unit_label:
            t.lit(f" {ind.unit_label}")
        t.lit(", tỷ lệ ")
        return t.num(value, f"{key}.value")
    if not ind.higher_is_better:
        t.lit(ind.name, name_key).lit(" ở mức ")  # "đạt" praises; a dropout rate is not praise
    elif ind.unit_kind is UnitKind.PERCENT or ind.target is not None:
        t.lit(ind.name, name_key).lit(" đạt ")
    else:
        t.lit(ind.name, name_key).lit(": ")
    _with_unit(t, value, f"{key}.value", ind.unit_kind, _word(ind))
    if ind.of_which is not None:
        n, noun = ind.of_which
        t.lit(" (trong đó ").num(fmt(n, ind.unit_kind, ind.decimals), f"{key}.of_which")
        t.lit(f" {noun})")
    return t


def _verdict_phrase(t: Text, ind: IndicatorResult, key: str) -> Text:
    target = ind.target
    v = verdict(ind)
    if target is None or v is None:
        return t
    t.lit(", ")
    if target.is_range:
        t.lit({Verdict.VUOT: "vượt ", Verdict.DAT: "đạt ", Verdict.CHUA_DAT: "chưa đạt "}[v])
        return target_text(t, ind, target, key)
    g = gap(ind)
    assert g is not None
    word = _diff_word(ind.unit_kind, ind.unit_label, ind.money_scale)
    if v is Verdict.DAT:
        return target_text(t.lit("đạt "), ind, target, key)
    if v is Verdict.VUOT and ind.higher_is_better:
        # the brief's own example: "vượt 1,1 điểm phần trăm so với kế hoạch (50,5%)"
        t.lit("vượt ").num(diff_text(g), f"{key}.gap", "derived")
        return target_text(t.lit(f" {word} so với "), ind, target, key)
    # "chưa đạt kế hoạch (50,5%), thấp hơn 1,2 điểm phần trăm" and, for a ceiling,
    # "vượt kế hoạch (không quá 0,5%), thấp hơn 0,18 điểm phần trăm so với mức kế hoạch"
    t.lit("vượt " if v is Verdict.VUOT else "chưa đạt ")
    target_text(t, ind, target, key)
    printed_below = (v is Verdict.VUOT) != ind.higher_is_better
    t.lit(", thấp hơn " if printed_below else ", cao hơn ")
    t.num(diff_text(g), f"{key}.gap", "derived").lit(f" {word}")
    if not ind.higher_is_better:
        t.lit(" so với mức ").lit(target.source, f"{key}.target.source")
    return t


def printed_change(ind: IndicatorResult) -> Decimal | None:
    """Change on last year from the unrounded figures, rounded once (signed), or None."""
    if ind.last_year is None:
        return None
    scale = _scale(ind)
    return definitions.change(float(ind.value) / scale, float(ind.last_year) / scale).shown(
        ind.decimals
    )


def _change_phrase(t: Text, ind: IndicatorResult, key: str, previous: str) -> Text:
    d = printed_change(ind)
    if d is None:
        return t
    if d == 0:
        return t.lit(f", bằng {previous}")
    t.lit(", tăng " if d > 0 else ", giảm ")
    t.num(diff_text(d), f"{key}.change", "derived")
    word = _diff_word(ind.unit_kind, ind.unit_label, ind.money_scale)
    return t.lit(f" {word} so với {previous}")


def indicator_sentence(ind: IndicatorResult, previous: str = "năm học trước") -> Sentence:
    """One result sentence, e.g. "Tỷ lệ huy động trẻ 3-5 tuổi đến trường đạt 51,6%, vượt 1,1
    điểm phần trăm so với kế hoạch (50,5%), tăng 2,3 điểm phần trăm so với năm học trước."
    """
    key = f"ind.{ind.key}"
    t = Text()
    _value_phrase(t, ind, key)
    _verdict_phrase(t, ind, key)
    _change_phrase(t, ind, key, previous)
    t.lit(".")
    check_text(t)
    return t


def parts_sentence(ind: IndicatorResult) -> Sentence | None:
    """'Số trường có dạy từng cấp học (trường liên cấp tính ở mỗi cấp): mầm non 120, ...'"""
    if not ind.parts:
        return None
    t = Text().lit(ind.parts_intro or "Chi tiết", f"ind.{ind.key}.parts.intro").lit(": ")
    for i, u in enumerate(ind.parts):
        if i:
            t.lit(", ")
        t.lit(u.name, f"ind.{ind.key}.parts[{i}].name").lit(" ")
        t.num(fmt(u.value, ind.unit_kind, ind.decimals), f"ind.{ind.key}.parts[{i}].value")
    t.lit(".")
    check_text(t)
    return t


def leading_sentence(ind: IndicatorResult) -> Sentence | None:
    """'Các đơn vị dẫn đầu: xã Mường Phăng (78,2%), xã Thanh Nưa (75,0%).'"""
    if not ind.leading_units:
        return None
    t = Text().lit("Các đơn vị dẫn đầu: ")
    _unit_list(t, ind.leading_units, f"ind.{ind.key}.lead", ind.unit_kind, ind.decimals)
    t.lit(".")
    check_text(t)
    return t


def _unit_list(t: Text, units: list[UnitFigure], key: str, kind: UnitKind, decimals: int):
    for i, u in enumerate(units):
        if i:
            t.lit(", ")
        t.lit(u.name, f"{key}[{i}].name").lit(" (")
        t.num(fmt(u.value, kind, decimals), f"{key}[{i}].value").lit(")")
    return t


# --------------------------------------------------------------------------- section II


def shortfall_sentence(ind: IndicatorResult) -> Sentence:
    """Short form for section II: '... đạt 59,94%, chưa đạt chỉ tiêu Nghị quyết (60-65%).'"""
    key = f"ind.{ind.key}"
    t = Text()
    _value_phrase(t, ind, key)
    _verdict_phrase(t, ind, key)
    t.lit(".")
    check_text(t)
    return t


def units_behind_sentence(ub: UnitsBehind) -> Sentence:
    key = f"behind.{ub.key or lower_first(ub.indicator_name)}"
    t = Text().lit("Một số đơn vị có ").lit(lower_first(ub.indicator_name), f"{key}.name")
    if ub.threshold is not None:
        t.lit(" dưới " if ub.higher_is_better else " trên ").num(
            fmt(ub.threshold, ub.unit_kind, auto_decimals(ub.threshold, 2)), f"{key}.threshold"
        )
    else:
        t.lit(" còn thấp" if ub.higher_is_better else " còn cao")
    t.lit(": ")
    _unit_list(t, ub.units, key, ub.unit_kind, ub.decimals).lit(".")
    check_text(t)
    return t


def reporting_sentence(rs: ReportingStatus) -> Sentence:
    """'Báo cáo thống kê đầu năm học 2024-2025: 312/337 đơn vị nộp đúng hạn, 20 đơn vị nộp
    muộn, 5 đơn vị chưa nộp (Trường ...).'"""
    key = f"reporting.{rs.key or rs.round_name}"
    t = Text().lit(rs.round_name, f"{key}.name", "text").lit(": ")
    t.num(format_number(rs.on_time), f"{key}.on_time").lit("/")
    t.num(format_number(rs.expected), f"{key}.expected").lit(" đơn vị nộp đúng hạn")
    if rs.late:
        t.lit(", ").num(format_number(rs.late), f"{key}.late").lit(" đơn vị nộp muộn")
    if rs.missing:
        t.lit(", ").num(format_number(rs.missing), f"{key}.missing").lit(" đơn vị chưa nộp")
        if rs.missing_units:
            t.lit(" (")
            for i, name in enumerate(rs.missing_units):
                t.lit((", " if i else "") + name, f"{key}.missing_units[{i}]")
            t.lit(")")
    t.lit(".")
    check_text(t)
    return t


def staffing_sentence(lines: list[StaffingLine]) -> Sentence | None:
    """'Đội ngũ giáo viên còn thừa, thiếu cục bộ: Tiểu học thiếu 421 giáo viên ở một số môn
    (trong đó Tiếng Anh 160, ..., các môn còn lại 33), thừa 223 giáo viên ở các môn khác, cân đối
    thiếu 198 giáo viên; THCS thừa 85 giáo viên.' One clause per level, worded as
    tongket.norms.calc.staffing_totals.group_sentence words it (a norms test holds the two equal);
    the "trong đó" parts add up to the shortage before them; never summed across levels."""
    clauses = [ln for ln in lines if ln.shortage or ln.surplus]
    if not clauses:
        return None
    t = Text().lit("Đội ngũ giáo viên còn thừa, thiếu cục bộ: ")
    for i, ln in enumerate(clauses):
        key = f"staffing.{ln.level}"
        if i:
            t.lit("; ")
        t.lit(ln.level, f"{key}.name")
        if ln.shortage:
            t.lit(" thiếu ").num(format_number(ln.shortage), f"{key}.shortage").lit(" giáo viên")
            if ln.surplus:
                t.lit(f" ở một số {ln.place}")
            if ln.subjects_short:
                t.lit(" (trong đó ")
                for j, (subject, n) in enumerate(ln.subjects_short.items()):
                    t.lit((", " if j else "") + subject, f"{key}.subjects[{j}].name").lit(" ")
                    t.num(format_number(n), f"{key}.subjects[{j}].value")
                t.lit(")")
        if ln.surplus:
            t.lit(", " if ln.shortage else " thừa ")
            if ln.shortage:
                t.lit("thừa ")
            t.num(format_number(ln.surplus), f"{key}.surplus").lit(" giáo viên")
            if ln.shortage:
                t.lit(f" ở các {ln.place} khác, cân đối ")
                if ln.balance:
                    t.lit("thiếu " if ln.balance < 0 else "thừa ")
                    t.num(format_number(ln.net), f"{key}.net").lit(" giáo viên")
                else:
                    t.lit("đủ giáo viên")
    t.lit(".")
    check_text(t)
    return t


def outlier_sentence(o: QualityOutlier) -> Sentence:
    """'Trường X có tỷ lệ ... 98,5%, cao bất thường so với trung vị toàn tỉnh (62,0%); cần
    kiểm tra lại số liệu.'"""
    key = f"outlier.{o.key or o.unit_name}"
    high = _dec(o.value) > _dec(o.reference)
    t = Text().lit(o.unit_name, f"{key}.unit").lit(" có ")
    t.lit(lower_first(o.indicator_name), f"{key}.name").lit(" ")
    t.num(fmt(o.value, o.unit_kind, o.decimals), f"{key}.value")
    t.lit(", cao bất thường" if high else ", thấp bất thường")
    t.lit(" so với ").lit(o.reference_label, f"{key}.reference_label").lit(" (")
    t.num(fmt(o.reference, o.unit_kind, o.decimals), f"{key}.reference")
    t.lit("); cần kiểm tra lại số liệu.")
    check_text(t)
    return t


# --------------------------------------------------------------------------- section III


def next_target_sentence(nt: NextTarget) -> Sentence:
    """'Phấn đấu tỷ lệ huy động trẻ 3-5 tuổi đến trường đạt 53,0%.' / '... đạt từ 60 đến 65%.'"""
    key = f"next.{nt.key or nt.name}"
    word = unit_word(nt.unit_kind, nt.unit_label)
    t = Text().lit("Phấn đấu ").lit(lower_first(nt.name), f"{key}.name").lit(" đạt ")
    if nt.value is not None:
        _with_unit(t, fmt(nt.value, nt.unit_kind, nt.decimals), f"{key}.value", nt.unit_kind, word)
    elif nt.low is not None and nt.high is not None:
        lo = fmt(nt.low, nt.unit_kind, auto_decimals(nt.low, nt.decimals))
        hi = fmt(nt.high, nt.unit_kind, auto_decimals(nt.high, nt.decimals))
        t.lit("từ ").num(lo.rstrip("%"), f"{key}.low").lit(" đến ")
        _with_unit(t, hi, f"{key}.high", nt.unit_kind, word)
    else:
        raise ValueError(f"chỉ tiêu '{nt.name}' cần giá trị hoặc khoảng")
    t.lit(".")
    check_text(t)
    return t


def verdict_label(ind: IndicatorResult) -> str:
    """Short column text for the summary table: 'Vượt', 'Đạt', 'Chưa đạt' (or '')."""
    v = verdict(ind)
    return v.value.capitalize() if v else ""
