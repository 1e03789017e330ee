"""Report checker pages: paste or upload a report, see its figures and its arithmetic problems,
import the recognised figures as historical values of a unit after a person confirms them.

The text is hostile input. The highlighted view is built here from escaped pieces of it (every
piece of the document and every tooltip goes through `escape`), never from the text as HTML.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from tongket.core.periods import PeriodError, parse
from tongket.core.scope import is_admin, profile_of
from tongket.core.vntext import format_date
from tongket.factcheck import actions
from tongket.factcheck.checks import Analysis, Issue, analyse
from tongket.factcheck.extract import Fact
from tongket.factcheck.forms import DocumentForm, ImportForm, max_upload_bytes
from tongket.factcheck.models import CheckedDocument, HistoricalValue
from tongket.factcheck.numbers import format_vn
from tongket.factcheck.scorer import find_spans
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, UnitClosure, active_q

BOUND_VI = {
    "exact": "chính xác",
    "lower": "tối thiểu (hơn/trên)",
    "upper": "tối đa (dưới/không quá)",
    "approx": "ước chừng (khoảng/gần)",
}
LEVEL_VI = {
    "preschool": "mầm non",
    "primary": "tiểu học",
    "lower_secondary": "THCS",
    "upper_secondary": "THPT",
    "continuing": "GDTX",
    "all": "toàn ngành",
}
KIND_VI = {
    "ratio_mismatch": "Tỷ lệ không khớp X/Y",
    "sum_mismatch": "Tổng các phần không khớp",
    "target_mismatch": "Không khớp chỉ tiêu",
    "count_mismatch": "Các số liệu không khớp nhau",
    "other": "Cần xem lại",
}
SEVERITY_VI = {"hard": "Sai số học", "soft": "Lưu ý"}
SCHOOL_YEAR_RE = re.compile(r"năm\s+học\s*:?\s*(\d{4})\s*[-–—/]\s*(\d{4})", re.IGNORECASE)
MAX_UNIT_CHOICES = 300
MAX_TABLE_ROWS = 1500  # figures and issues listed in the tables (importable figures always are)


# ---------------------------------------------------------------- figures as text


def show_value(fact: Fact) -> str:
    if fact.range is not None:
        text = f"{format_vn(fact.range[0])}–{format_vn(fact.range[1])}"
    else:
        text = format_vn(fact.value)
    if fact.unit == "percent":
        return f"{text}%"
    if fact.unit == "VND":
        return f"{text} đồng"
    return f"{text} {fact.counted}" if fact.counted else text


def fact_tooltip(n: int, fact: Fact, indicator_name: str | None) -> str:
    parts = [
        f"Số liệu #{n}",
        f"giá trị: {show_value(fact)}",
        f"đơn vị: {actions.UNIT_VI.get(fact.unit, fact.unit)}",
        f"đếm: {fact.counted or '—'}",
        "chỉ tiêu: "
        + (indicator_name or (actions.topic_of(fact.indicator) if fact.indicator else "—")),
        f"giới hạn: {BOUND_VI.get(fact.bound, fact.bound)}",
    ]
    if fact.numerator is not None and fact.denominator:
        parts.append(f"phân số: {format_vn(fact.numerator)}/{format_vn(fact.denominator)}")
    if fact.target is not None:
        parts.append(f"chỉ tiêu kế hoạch: {format_vn(fact.target)}")
    if fact.level:
        parts.append(f"cấp học: {LEVEL_VI.get(fact.level, fact.level)}")
    return "; ".join(parts)


# ---------------------------------------------------------------- placing issues in the text


@dataclass
class PlacedIssue:
    n: int
    issue: Issue
    spans: list[tuple[int, int]]


class IssuePlacer:
    """Finds where the quotes of each issue stand in the text.

    A quote such as "100%" may occur many times in a report; the occurrences that lie closest
    together are taken. The checks list the issues of one kind in text order, so the search
    starts where the previous issue of that kind stood and usually ends at the first compact
    cluster; a full search is the fallback, within a budget so a hostile text full of repeated
    figures cannot make the page slow (an issue not placed is still listed in the table).
    """

    COMPACT = 400  # characters: the quotes of one issue normally stand in one sentence
    TRIES = 20
    FAR = 1_000_000
    BUDGET = 200_000

    def __init__(self, text: str) -> None:
        self.text = text
        self.occ: dict[str, tuple[list[tuple[int, int]], list[int]]] = {}
        self.cursor: dict[str, int] = defaultdict(int)
        self.budget = self.BUDGET

    def _occurrences(self, quote: str) -> tuple[list[tuple[int, int]], list[int]]:
        if quote not in self.occ:
            spans = find_spans(self.text, quote) if quote.strip() else []
            self.occ[quote] = (spans, [s for s, _ in spans])
        return self.occ[quote]

    def _cluster(self, anchor, others, kind: str) -> tuple[int, list[tuple[int, int]]]:
        """The occurrences of the other quotes nearest the anchor, and how far they spread
        (a cluster across a line break counts as far: one problem sits in one paragraph,
        except a base compared with a total stated elsewhere)."""
        chosen = [anchor]
        for occ, starts in others:
            k = bisect.bisect_left(starts, anchor[0])
            near = [occ[j] for j in (k - 1, k) if 0 <= j < len(occ)]
            chosen.append(min(near, key=lambda sp: abs(sp[0] - anchor[0])))
        lo, hi = min(s for s, _ in chosen), max(e for _, e in chosen)
        extent = hi - lo
        if kind != "other" and "\n" in self.text[lo:hi]:
            extent += self.FAR
        return extent, chosen

    def place(self, issue: Issue) -> list[tuple[int, int]]:
        found = [self._occurrences(q) for q in issue.quotes]
        found = [f for f in found if f[0]]
        if not found:
            return []
        (first, first_starts), others = found[0], found[1:]
        k0 = bisect.bisect_left(first_starts, self.cursor[issue.kind])
        for anchor in first[k0 : k0 + self.TRIES]:
            extent, chosen = self._cluster(anchor, others, issue.kind)
            if extent <= self.COMPACT:
                return self._done(issue, chosen)
        best: tuple[int, list[tuple[int, int]]] | None = None
        for anchor in first:
            if self.budget <= 0:
                break
            self.budget -= len(found)
            extent, chosen = self._cluster(anchor, others, issue.kind)
            if best is None or extent < best[0]:
                best = (extent, chosen)
        return self._done(issue, best[1]) if best else []

    def _done(self, issue: Issue, chosen: list[tuple[int, int]]) -> list[tuple[int, int]]:
        spans = sorted(set(chosen))
        self.cursor[issue.kind] = spans[0][0]
        return spans


def highlight(text: str, facts: list[Fact], placed: list[PlacedIssue], tips: list[str]) -> str:
    """The text as HTML: every figure in a <mark> with its tooltip, the quotes of every issue
    coloured by severity and the issue's message after its last quote. Escapes everything."""
    bounds = {0, len(text)}
    for f in facts:
        bounds.update((f.start, f.end))
    opens: dict[int, list[PlacedIssue]] = defaultdict(list)
    closes: dict[int, list[PlacedIssue]] = defaultdict(list)
    for p in placed:
        for s, e in p.spans:
            bounds.update((s, e))
            opens[s].append(p)
            closes[e].append(p)
    points = sorted(b for b in bounds if 0 <= b <= len(text))
    fact_starts = [f.start for f in facts]
    active: dict[int, int] = defaultdict(int)
    by_n = {p.n: p for p in placed}
    last_end = {p.n: max(e for _, e in p.spans) for p in placed if p.spans}
    seen_fact: set[int] = set()
    noted: set[int] = set()
    out: list[str] = []
    for a, b in itertools.pairwise(points):
        for p in closes.get(a, ()):
            active[p.n] -= 1
            if not active[p.n]:
                del active[p.n]
        for p in opens.get(a, ()):
            active[p.n] += 1
        piece: str = escape(text[a:b])
        k = bisect.bisect_right(fact_starts, a) - 1
        fact_n = k + 1 if k >= 0 and facts[k].start <= a < facts[k].end else None
        live = sorted(active)
        severity = None
        if live:
            severity = "hard" if any(by_n[n].issue.severity == "hard" for n in live) else "soft"
        if fact_n is not None:
            classes = "fact" + (f" {severity}" if severity else "")
            tip = tips[fact_n - 1]
            for n in live:
                sev = by_n[n].issue.severity
                tip += f" | [{n}] {SEVERITY_VI.get(sev, sev)}: {by_n[n].issue.message_vi}"
            anchor = "" if fact_n in seen_fact else f' id="f{fact_n}"'
            seen_fact.add(fact_n)
            piece = f'<mark class="{classes}"{anchor} title="{escape(tip)}">{piece}</mark>'
        elif live:
            msgs = " | ".join(f"[{n}] {by_n[n].issue.message_vi}" for n in live)
            piece = f'<span class="iss {severity}" title="{escape(msgs)}">{piece}</span>'
        out.append(piece)
        for p in closes.get(b, ()):
            if last_end.get(p.n) == b and p.n not in noted:
                noted.add(p.n)
                sev = p.issue.severity
                out.append(
                    f'<span class="note {sev}" id="i{p.n}">[{p.n}] '
                    f"{escape(SEVERITY_VI.get(sev, sev))}: {escape(p.issue.message_vi)}</span>"
                )
            else:
                out.append(f'<sup class="ref {p.issue.severity}">[{p.n}]</sup>')
    return "".join(out)


# ---------------------------------------------------------------- helpers


def guess_period(text: str) -> str:
    """The first "năm học 2019-2020" the text names, as a period code ("" when none)."""
    for m in SCHOOL_YEAR_RE.finditer(text[:20000]):
        a, b = int(m.group(1)), int(m.group(2))
        if b == a + 1:
            return f"{a}-{b}"
    return ""


def can_import(user) -> bool:
    prof = profile_of(user)
    return is_admin(user) or bool(prof and prof.can_write)


def unit_choices(user, on, search: str) -> list[OrgUnit]:
    """Units offered in the import form: the user's unit and the units under it as of the
    date, or those matching the search. The action checks the scope again."""
    prof = profile_of(user)
    admin = is_admin(user)
    home_id = prof.unit_id if prof is not None else None
    if not admin and home_id is None:
        return []
    if search:
        qs = OrgUnit.objects.search(search[:100]).filter(active_q(on))
        if not admin:
            scope = (
                UnitClosure.objects.filter(ancestor_id=home_id)
                .filter(active_q(on))
                .values("descendant_id")
            )
            qs = qs.filter(pk__in=scope)
        return list(qs.order_by("kind", "name")[:MAX_UNIT_CHOICES])
    if admin:
        root = uq.nation()
    else:
        assert prof is not None and prof.unit is not None  # home_id was checked above
        root = prof.unit
    return [root, *uq.children(root, on)[:MAX_UNIT_CHOICES]]


def _owner(request: HttpRequest) -> User:
    """The signed-in user: every view of this module is login_required."""
    user = request.user
    assert not isinstance(user, AnonymousUser), "login_required view"
    return user


def _own_document(request: HttpRequest, pk: int) -> CheckedDocument:
    doc = CheckedDocument.objects.filter(pk=pk, owner=_owner(request)).first()
    if doc is None:  # another user's document is as good as missing
        raise Http404("Không tìm thấy tài liệu.")
    return doc


def _fact_rows(analysis: Analysis, placed: list[PlacedIssue], imported, indicators) -> list:
    facts = analysis.facts
    starts, ends = [f.start for f in facts], [f.end for f in facts]
    issue_of: dict[int, set[int]] = defaultdict(set)
    for p in placed:
        for s, e in p.spans:  # facts do not overlap, so starts and ends are both sorted
            for i in range(bisect.bisect_right(ends, s), bisect.bisect_left(starts, e)):
                issue_of[i].add(p.n)
    rows = []
    for i, f in enumerate(analysis.facts):
        ind = indicators.get(f.indicator or "")
        reason = actions.importable_reason(f, indicators)
        rows.append(
            {
                "index": i,
                "n": i + 1,
                "fact": f,
                "value": show_value(f),
                "unit": actions.UNIT_VI.get(f.unit, f.unit),
                "bound": BOUND_VI.get(f.bound, f.bound),
                "level": LEVEL_VI.get(f.level or "", ""),
                "fraction": (
                    f"{format_vn(f.numerator)}/{format_vn(f.denominator)}"
                    if f.numerator is not None and f.denominator
                    else ""
                ),
                "indicator_name": ind.name_vi if ind else "",
                "topic": actions.topic_of(f.indicator) if f.indicator else "",
                "importable": reason is None,
                "reason": reason or "",
                "issues": sorted(issue_of.get(i, ())),
                "imported": imported.get(f.start, []),
            }
        )
    return rows


def _render_document(
    request: HttpRequest,
    doc: CheckedDocument,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    period: str | None = None,
    unit_q: str = "",
    unit_id: int | None = None,
    ticked: list[int] | None = None,
) -> HttpResponse:
    analysis = analyse(doc.text)
    text, facts = analysis.text, analysis.facts
    placer = IssuePlacer(text)
    placed = [PlacedIssue(n, iss, placer.place(iss)) for n, iss in enumerate(analysis.issues, 1)]
    indicators = actions.catalog_indicators(f.indicator for f in facts)
    tips = [
        fact_tooltip(i + 1, f, getattr(indicators.get(f.indicator or ""), "name_vi", None))
        for i, f in enumerate(facts)
    ]
    imported: dict[int, list[HistoricalValue]] = defaultdict(list)
    for hv in HistoricalValue.objects.filter(document_sha256=doc.sha256).select_related("unit"):
        imported[hv.start].append(hv)
    rows = _fact_rows(analysis, placed, imported, indicators)

    period = guess_period(text) if period is None else period
    period_error, on = "", uq.today()
    if period:
        try:
            on = parse(period).start
        except PeriodError as exc:
            period_error = str(exc)
    importer = can_import(request.user)
    choices = unit_choices(request.user, on, unit_q) if importer else []
    if unit_id is None:
        unit_id = choices[0].pk if choices and not unit_q else None
    html = highlight(text, facts, placed, tips)  # every piece of the text escaped there
    shown = [r for r in rows if r["importable"] or r["index"] < MAX_TABLE_ROWS]
    context = {
        "doc": doc,
        "highlighted": mark_safe(html),
        "facts": shown,
        "fact_count": len(rows),
        "facts_hidden": len(rows) - len(shown),
        "issues_hidden": max(0, len(placed) - MAX_TABLE_ROWS),
        "issues": [
            {
                "n": p.n,
                "issue": p.issue,
                "kind": KIND_VI.get(p.issue.kind, p.issue.kind),
                "severity": SEVERITY_VI.get(p.issue.severity, p.issue.severity),
                "located": bool(p.spans),
            }
            for p in placed[:MAX_TABLE_ROWS]
        ],
        "issue_count": len(placed),
        "hard": sum(1 for p in placed if p.issue.severity == "hard"),
        "soft": sum(1 for p in placed if p.issue.severity == "soft"),
        "importable": sum(1 for r in rows if r["importable"]),
        "can_import": importer,
        "period": period,
        "period_error": period_error,
        "as_of_text": format_date(on),
        "unit_q": unit_q,
        "unit_choices": choices,
        "unit_id": unit_id,
        "ticked": set(ticked or []),
        "errors": errors or [],
    }
    return render(request, "factcheck/document.html", context, status=status)


# ---------------------------------------------------------------- pages


@login_required
def check_page(request: HttpRequest) -> HttpResponse:
    """Paste or upload a report; the result is shown at once and kept under its own address."""
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            doc = actions.save_checked_document(
                request.user, form.cleaned_data["document_name"], form.cleaned_data["document_text"]
            )
            return _render_document(request, doc)
    else:
        form = DocumentForm()
    recent = CheckedDocument.objects.filter(owner=_owner(request)).only(
        "pk", "name", "sha256", "created_at"
    )[:10]
    context = {
        "form": form,
        "recent": recent,
        "max_mb": max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "factcheck/check.html", context, status=400 if form.errors else 200)


@login_required
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _own_document(request, pk)
    period = request.GET.get("period")
    return _render_document(
        request,
        doc,
        period=period.strip()[:40] if period is not None else None,
        unit_q=request.GET.get("unit_q", "").strip()[:100],
    )


class _FormState(TypedDict):
    """What the import form echoes back when it is shown again (_render_document's keywords)."""

    period: str
    unit_q: str
    ticked: list[int]
    unit_id: int | None


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
@require_POST
def import_facts(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _own_document(request, pk)
    form = ImportForm(request.POST)
    ticked = [int(v) for v in request.POST.getlist("facts") if v.strip().isdigit()]
    unit_raw = request.POST.get("unit", "")
    state: _FormState = {
        "period": request.POST.get("period", "").strip()[:40],
        "unit_q": request.POST.get("unit_q", "").strip()[:100],
        "ticked": ticked,
        "unit_id": int(unit_raw) if unit_raw.isdigit() else None,
    }
    if "refresh" in request.POST:  # new period or unit search: show the form again, write nothing
        return _render_document(request, doc, **state)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _render_document(request, doc, status=400, errors=errors, **state)
    data = form.cleaned_data
    try:
        rows = actions.do_import_facts(
            request.user, data["unit"], data["period"], doc.name, doc.text, data["facts"]
        )
    except PermissionDenied as exc:
        msg = str(exc) or "Bạn không có quyền nhập số liệu cho đơn vị này."
        return _render_document(request, doc, status=403, errors=[msg], **state)
    except ValidationError as exc:
        return _render_document(request, doc, status=400, errors=_messages_of(exc), **state)
    unit = rows[0].unit
    messages.success(
        request,
        f"Đã nhập {len(rows)} số liệu của '{doc.name}' cho {unit.name}, kỳ {rows[0].period}.",
    )
    return redirect("factcheck:imports")


def visible_values(user):
    """Imported values the user may read: those of units under their unit (at any date)."""
    qs = HistoricalValue.objects.select_related("indicator", "unit", "imported_by__profile")
    if is_admin(user):
        return qs
    prof = profile_of(user)
    if prof is None or prof.unit_id is None:
        return qs.none()
    scope = UnitClosure.objects.filter(ancestor_id=prof.unit_id).values("descendant_id")
    return qs.filter(unit_id__in=scope)


@login_required
def imports_page(request: HttpRequest) -> HttpResponse:
    qs = visible_values(request.user)
    total = qs.count()
    rows = []
    for hv in qs[:500]:
        value = format_vn(hv.value)
        rows.append(
            {
                "hv": hv,
                "value": f"{value}%" if hv.indicator.unit == "percent" else value,
                "fraction": (
                    f"{format_vn(hv.numerator)}/{format_vn(hv.denominator)}"
                    if hv.numerator is not None and hv.denominator
                    else ""
                ),
            }
        )
    return render(request, "factcheck/imports.html", {"rows": rows, "total": total})
