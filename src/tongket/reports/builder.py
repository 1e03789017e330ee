"""The database side of the review report: fill a docgen ReviewReport for a unit and period.

Every figure placed in the model comes from stored values (the analytics engine, direct sums
of values for what the engine has no indicator for, targets, reporting rounds, the staffing
norms, the quality checks), and is recorded in `Built.sources` under the trace key docgen
prints it with (`ind.<code>.value`, `annex.<key>.r3.c2`, ...) together with where it came
from, so a test can re-read each printed figure from the database. Nothing is summed or
averaged here: totals are the engine's roll-ups.
"""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from tongket.analytics import service
from tongket.analytics.engine import MODE_AS_OF, MODE_CURRENT
from tongket.analytics.models import Target as TargetRow
from tongket.analytics.queries import reporting_rates, targets_for
from tongket.core import definitions
from tongket.core import periods as pd
from tongket.core.vntext import clean_texts, fold, format_date
from tongket.reports import specs as sp
from tongket.reports.docgen import (
    AnnexColumn,
    AnnexTable,
    BarChart,
    IndicatorResult,
    LineChart,
    NextTarget,
    ProposalGroup,
    QualityOutlier,
    ReportingStatus,
    ReportKind,
    ReviewReport,
    Signature,
    SignPrefix,
    StaffingLine,
    Target,
    UnitFigure,
    UnitKind,
    UnitsBehind,
    verdict,
)
from tongket.reports.docgen.sentences import lower_first
from tongket.reports.figures import Sums
from tongket.reports.heading import (  # re-exported: callers import them from the builder
    Built,
    Narrative,
    ReportError,
    Source,
    default_date,
    issuing_body,
    lines,
    province_of,
    report_tree,
    report_year,
    short_name,
)
from tongket.units import queries as uq
from tongket.units.models import OrgUnit
from tongket.units.models import UnitKind as OrgKind

LEADING = 3  # leading child units named per indicator
LEVEL_SCHOOLS = {
    "schools_mn": "mầm non",
    "schools_th": "tiểu học",
    "schools_thcs": "THCS",
    "schools_thpt": "THPT",
}
BEHIND = 5  # units named as behind per indicator
OUTLIERS = 5
JUMPS = 3
MISSING_NAMES = 8


# --------------------------------------------------------------------------- the builder


def _target(t) -> Target:
    src = fold(t.source)
    word = (
        "chỉ tiêu Nghị quyết"
        if "nghi quyet" in src
        else "kế hoạch"
        if "ke hoach" in src
        else "chỉ tiêu"
    )
    if t.value is not None:
        return Target(t.value, source=word, source_document=t.source)
    return Target(low=t.low, high=t.high, source=word, source_document=t.source)


class _Builder:
    def __init__(self, unit, period, kind, mode, narrative, charts):
        self.unit, self.kind, self.narrative, self.charts = unit, kind, narrative, charts
        self.year = report_year(period)
        self.P = self.year.code
        self.prev = self.year.previous().code
        self.next_year = pd.school_year(self.year.start.year + 1).code
        self.hk1, self.prev_hk1 = f"{self.P} HK1", f"{self.prev} HK1"
        self.mode, self.day, note = report_tree(unit, self.P, mode)
        self.notes = [note] if note else []
        self.sources: dict[str, Source] = {}
        try:
            self.policy = definitions.parse_policy(narrative.policy, definitions.REPORT_POLICY)
        except definitions.DefinitionError as exc:
            raise ReportError(str(exc)) from exc
        self.svc = service.get(self.policy)
        self.info = self.svc.info(include_checks=True)
        self.specs = [s for s in sp.specs_for(kind) if s.source == "sums" or s.code in self.info]
        self.children = [c for c in uq.children(unit, self.day)]
        self.province = province_of(unit, self.day)

    # -- figures -------------------------------------------------------------------------
    def _period_of(self, spec: sp.Spec, previous: bool = False) -> str:
        if spec.round == sp.HK1:
            return self.prev_hk1 if previous else self.hk1
        return self.prev if previous else self.P

    def load(self) -> None:
        ids = [self.unit.pk] + [c.pk for c in self.children]
        eng = [s.code for s in self.specs if s.source == "engine"]
        self.now = self.svc.values(ids, self.P, self.mode, eng)
        self.before = self.svc.values([self.unit.pk], self.prev, self.mode, eng)
        sums = [s for s in sp.SUM_INDICATORS if s.code in {x.code for x in self.specs}]
        prev_day = uq.mode_day(self.prev, self.mode)

        def with_den(year: str):
            return [dataclasses.replace(s, den_period=year) if s.den_period else s for s in sums]

        kids = [c.pk for c in self.children]
        self.sums_now = Sums(
            self.unit.pk, self.day, [self.P, self.hk1], with_den(self.P), kids, self.policy
        )
        self.sums_before = Sums(
            self.unit.pk,
            prev_day,
            [self.prev, self.prev_hk1],
            with_den(self.prev),
            policy=self.policy,
        )
        self.sum_days = {"now": self.day, "before": prev_day}
        self.targets = targets_for([self.unit.pk], self.P, eng)
        self.resolved: dict[str, TargetRow] = {}

    def fig(self, spec: sp.Spec, unit_id: int, previous: bool = False):
        """(value, numerator, denominator, source ref) of one figure."""
        period = self._period_of(spec, previous)
        if spec.source == "sums":
            sums = self.sums_before if previous else self.sums_now
            v = sums.get(unit_id, period, spec.code)
            day = self.sum_days["before" if previous else "now"]
            ref = {
                "unit": unit_id,
                "period": period,
                "code": spec.code,
                "on": day,
                "policy": self.policy.value,
            }
            return v.value, v.numerator, v.denominator, ("sum", ref)
        table = self.before if previous else self.now
        iv = table.get((unit_id, spec.code))
        ref = {
            "unit": unit_id,
            "period": period,
            "code": spec.code,
            "mode": self.mode,
            "policy": self.policy.value,
        }
        if iv is None:
            return None, None, None, ("engine", ref)
        return iv.value, iv.numerator, iv.denominator, ("engine", ref)

    def note(self, key: str, kind_ref, raw, fieldname: str) -> None:
        kind, ref = kind_ref
        self.sources[key] = Source(kind, raw, {**ref, "field": fieldname})

    def name_of(self, spec: sp.Spec) -> str:
        return spec.name or self.info[spec.code].name_vi

    def decimals(self, spec: sp.Spec) -> int:
        """Shown with: the catalog's decimals for an engine indicator (the same on every
        surface), the spec's for a direct sum."""
        return spec.decimals if spec.source == "sums" else self.info[spec.code].decimals

    def direction(self, spec: sp.Spec) -> str:
        return spec.direction if spec.source == "sums" else self.info[spec.code].direction

    def unit_kind(self, spec: sp.Spec) -> UnitKind:
        if spec.source == "sums":
            return UnitKind.PERCENT if spec.num_label and spec.den_label else UnitKind.COUNT
        return UnitKind.PERCENT if self.info[spec.code].unit == "percent" else UnitKind.COUNT

    # -- section I -----------------------------------------------------------------------
    def indicators(self) -> list[IndicatorResult]:
        out = []
        for spec in self.specs:
            value, num, den, ref = self.fig(spec, self.unit.pk)
            if value is None:
                continue
            key = f"ind.{spec.code}"
            kind = self.unit_kind(spec)
            self.note(f"{key}.value", ref, value, "value")
            ind = IndicatorResult(
                spec.code,
                self.name_of(spec),
                value,
                kind,
                decimals=self.decimals(spec),
                unit_label=spec.unit_label if (kind is UnitKind.COUNT or spec.fraction) else "",
                group=spec.group,
                higher_is_better=self.direction(spec) != "down",
            )
            if spec.fraction and num is not None and den is not None:
                ind.numerator, ind.denominator = num, den
                self.note(f"{key}.numerator", ref, num, "numerator")
                self.note(f"{key}.denominator", ref, den, "denominator")
            last, _, _, lref = self.fig(spec, self.unit.pk, previous=True)
            if last is not None:
                ind.last_year = last
                self.note(f"{key}.last_year", lref, last, "value")
            resolved = self.targets.get((self.unit.pk, spec.code)) if spec.round != sp.HK1 else None
            if resolved is not None:
                t = resolved.target
                ind.target = _target(t)
                self.resolved[spec.code] = t
                for f in ("value", "low", "high"):
                    if getattr(t, f) is not None:
                        self.note(f"{key}.target.{f}", ("target", {"pk": t.pk}), getattr(t, f), f)
            if (
                spec.leading
                and self.direction(spec) != "none"
                and self.kind is not ReportKind.GIAO_BAN
            ):
                ind.leading_units = self.leading(spec, key)
            if spec.code == "total_schools":
                self.school_levels(ind, key)
            out.append(ind)
        return out

    def school_levels(self, ind: IndicatorResult, key: str) -> None:
        """How a school counts (core.definitions): once in "Số trường"; the liên cấp schools
        said as part of it, and the schools teaching each level listed apart, not as parts."""
        codes = ["schools_lien_cap", *LEVEL_SCHOOLS]
        got = self.svc.values(
            [self.unit.pk], self.P, self.mode, [c for c in codes if c in self.info]
        )

        def ref(code: str) -> tuple[str, dict]:
            return "engine", {
                "unit": self.unit.pk,
                "period": self.P,
                "code": code,
                "mode": self.mode,
                "policy": self.policy.value,
            }

        multi = got.get((self.unit.pk, "schools_lien_cap"))
        if multi is not None and multi.value:
            ind.of_which = (multi.value, "trường liên cấp")
            self.note(f"{key}.of_which", ref("schools_lien_cap"), multi.value, "value")
            parts: list[UnitFigure] = []
            for code, label in LEVEL_SCHOOLS.items():
                iv = got.get((self.unit.pk, code))
                if iv is not None and iv.value:
                    self.note(f"{key}.parts[{len(parts)}].value", ref(code), iv.value, "value")
                    parts.append(UnitFigure(label, iv.value, code))
            ind.parts = parts
            ind.parts_intro = "Số trường có dạy từng cấp học (trường liên cấp tính ở mỗi cấp)"

    def child_values(self, spec: sp.Spec) -> list[tuple[OrgUnit, float, tuple]]:
        rows = []
        for c in self.children:
            v, _, _, ref = self.fig(spec, c.pk)
            if v is not None:
                rows.append((c, v, ref))
        return rows

    def leading(self, spec: sp.Spec, key: str) -> list[UnitFigure]:
        rows = self.child_values(spec)
        if len(rows) < 2:
            return []
        down = self.direction(spec) == "down"
        rows.sort(key=lambda r: (r[1] if down else -r[1], r[0].name))
        out = []
        for i, (c, v, ref) in enumerate(rows[:LEADING]):
            out.append(UnitFigure(c.name, v, c.code))
            self.note(f"{key}.lead[{i}].value", ref, v, "value")
        return out

    def units_behind(self, inds: list[IndicatorResult]) -> list[UnitsBehind]:
        out = []
        for ind in inds:
            t = ind.target
            if t is None or ind.unit_kind is not UnitKind.PERCENT or not self.children:
                continue
            spec = sp.BY_CODE[ind.key]
            up = ind.higher_is_better
            threshold = (t.low if up else t.high) if t.is_range else t.value
            if threshold is None:
                continue
            rows = [
                r for r in self.child_values(spec) if (r[1] < threshold if up else r[1] > threshold)
            ]
            if not rows:
                continue
            rows.sort(key=lambda r: (r[1] if up else -r[1], r[0].name))
            key = f"behind.{ind.key}"
            ub = UnitsBehind(
                ind.name,
                [],
                decimals=ind.decimals,
                key=ind.key,
                threshold=threshold,
                higher_is_better=up,
            )
            for i, (c, v, ref) in enumerate(rows[:BEHIND]):
                ub.units.append(UnitFigure(c.name, v, c.code))
                self.note(f"{key}[{i}].value", ref, v, "value")
            fieldname = ("low" if up else "high") if t.is_range else "value"
            pk = self.resolved[ind.key].pk
            self.note(f"{key}.threshold", ("target", {"pk": pk}), threshold, fieldname)
            out.append(ub)
        return out

    # -- section II ----------------------------------------------------------------------
    def reporting(self) -> list[ReportingStatus]:
        out = []
        for rr in reporting_rates(self.unit, self.P):
            rnd, rates = rr.round, rr.rates
            if self.kind is ReportKind.SO_KET and not (
                rnd.form.round == "start_of_year" or rnd.period == self.hk1
            ):
                continue
            if not rates.expected:
                continue
            key = f"r{rnd.pk}"
            rs = ReportingStatus(
                f"Biểu {rnd.form.code} ({rnd.form.name_vi}, {rnd.period})",
                rates.expected,
                rates.on_time,
                rates.late,
                rates.missing,
                [m.unit.name for m in rates.behind[:MISSING_NAMES]],
                key=key,
            )
            for f in ("expected", "on_time", "late", "missing"):
                ref = {"round": rnd.pk, "unit": self.unit.pk}
                self.sources[f"reporting.{key}.{f}"] = Source(
                    "rates", getattr(rs, f), {**ref, "field": f}
                )
            out.append(rs)
        return out

    def staffing(self) -> list[StaffingLine]:
        """One line per level group from the norms' one summary (gross shortage and surplus,
        net balance, shortage parts that add up), the figures the staffing page shows."""
        from tongket.norms import service as norms

        mode = self.mode
        rep = norms.compute_staffing(self.unit, self.P, mode, self.policy)
        labels = norms.labels_pack().subject_labels
        out = []
        for b in rep.whole.summary.groups:
            if not (b.shortage or b.surplus):
                continue
            parts = b.shortage_parts(labels)
            ln = StaffingLine(
                b.label,
                shortage=b.shortage,
                surplus=b.surplus,
                subjects_short=dict(parts),
                place="môn" if b.by_subject else "trường",
            )
            ref = {
                "unit": self.unit.pk,
                "period": self.P,
                "mode": mode,
                "label": b.label,
                "policy": self.policy.value,
            }
            key = f"staffing.{b.label}"
            for f in ("shortage", "surplus", "net"):
                if getattr(ln, f):
                    self.sources[f"{key}.{f}"] = Source(
                        "staffing", getattr(ln, f), {**ref, "field": f}
                    )
            for j, (_name, n) in enumerate(parts):
                self.sources[f"{key}.subjects[{j}].value"] = Source(
                    "staffing", n, {**ref, "field": "subject", "index": j}
                )
            out.append(ln)
        return out

    def outliers(self) -> list[QualityOutlier]:
        from tongket.analytics import quality

        out = []
        if self.kind is not ReportKind.SO_KET:
            rows = sorted(
                quality.outliers(self.unit, self.P, self.policy), key=lambda r: -abs(r.z)
            )[:OUTLIERS]
            for r in rows:
                key = f"{r.check}-{r.unit.code}"
                kind = UnitKind.PERCENT if r.unit_kind == "percent" else UnitKind.COUNT
                out.append(
                    QualityOutlier(
                        r.unit.name,
                        r.check_name,
                        r.value,
                        r.median,
                        f"trung vị của {r.peers} trường cùng cấp",
                        kind,
                        1,
                        key,
                    )
                )
                ref = {
                    "check": r.check,
                    "unit": r.unit.pk,
                    "period": self.P,
                    "root": self.unit.pk,
                    "policy": self.policy.value,
                }
                self.sources[f"outlier.{key}.value"] = Source(
                    "outlier", r.value, {**ref, "field": "value"}
                )
                self.sources[f"outlier.{key}.reference"] = Source(
                    "outlier", r.median, {**ref, "field": "median"}
                )
        for jr in quality.jumps(self.unit, self.P, self.policy)[:JUMPS]:
            key = f"{jr.check}-{jr.unit.code}"
            out.append(
                QualityOutlier(
                    jr.unit.name,
                    jr.check_name,
                    jr.current,
                    jr.previous,
                    "năm học trước",
                    UnitKind.COUNT,
                    0,
                    key,
                )
            )
            ref = {
                "check": jr.check,
                "unit": jr.unit.pk,
                "period": self.P,
                "root": self.unit.pk,
                "policy": self.policy.value,
            }
            self.sources[f"outlier.{key}.value"] = Source(
                "jump", jr.current, {**ref, "field": "current"}
            )
            self.sources[f"outlier.{key}.reference"] = Source(
                "jump", jr.previous, {**ref, "field": "previous"}
            )
        return out

    def register_and_pcgd(self) -> tuple[list[str], list[str]]:
        """(result sentences, limitation sentences) from the PCGD results and the register."""
        from tongket.norms import queries as nq
        from tongket.norms.models import CertificateKind

        results, limits = [], []
        # the register counted on the period's register date (core.definitions), never after
        # the document's own date; the national-standard rate itself is the engine's indicator
        # (same date, same schools), so it is stated once, in section I
        period = self.hk1 if self.kind is ReportKind.SO_KET else self.P
        on = min(definitions.register_date(period, timezone.localdate()), self.date)
        if self.unit.active_on(self.day):
            reg = nq.register_sentences(
                self.unit, on, tree_on=self.day, kinds=(CertificateKind.ACCREDITATION,)
            )
            results += reg[:1]
            limits += reg[1:]
        if self.unit.kind == OrgKind.PROVINCE:
            results += nq.pcgd_sentences(self.unit, self.year.start.year)
        return results, limits

    # -- section III, charts, annexes ----------------------------------------------------
    def next_targets(self) -> list[NextTarget]:
        period = self.next_year if self.kind is ReportKind.TONG_KET else self.P
        codes = [s.code for s in self.specs if s.source == "engine"]
        got = targets_for([self.unit.pk], period, codes)
        out = []
        for spec in self.specs:
            r = got.get((self.unit.pk, spec.code))
            if r is None:
                continue
            t = r.target
            key = spec.code
            nt = NextTarget(
                self.name_of(spec),
                self.unit_kind(spec),
                t.value,
                t.low,
                t.high,
                self.decimals(spec),
                spec.unit_label,
                key,
            )
            for f in ("value", "low", "high"):
                if getattr(t, f) is not None:
                    self.sources[f"next.{key}.{f}"] = Source(
                        "target", getattr(t, f), {"pk": t.pk, "field": f}
                    )
            out.append(nt)
        return out

    def chart_list(self, inds: list[IndicatorResult]) -> list[BarChart | LineChart]:
        if not self.charts or self.kind is ReportKind.GIAO_BAN:
            return []
        out: list[BarChart | LineChart] = []
        shown = [
            i
            for i in inds
            if i.unit_kind is UnitKind.PERCENT and i.target is not None and i.higher_is_better
        ][:6]
        if shown:
            out.append(
                BarChart(
                    f"Kế hoạch và thực hiện một số chỉ tiêu năm học {self.P}",
                    [sp.BY_CODE[i.key].short for i in shown],
                    [i.value for i in shown],
                    [t.low if t.is_range else t.value for i in shown if (t := i.target)],
                )
            )
        years = [
            p
            for p in self.svc.periods()
            if pd.parse(p).kind == pd.PeriodKind.SCHOOL_YEAR
            and pd.parse(p).start <= self.year.start
        ]
        if len(years) >= 2:
            for title, series in sp.TRENDS:
                data = {}
                for label, code in series:
                    if code not in self.info:
                        continue
                    vals = [self.svc.value(self.unit.pk, y, code, self.mode).value for y in years]
                    if any(v is not None for v in vals):
                        data[label] = vals
                if data:
                    out.append(LineChart(title, years, data))
        return out

    def annexes(self) -> list[AnnexTable]:
        if not self.children:
            return []
        have = {s.code for s in self.specs}
        groups = (
            sp.ANNEXES[: sp.GIAO_BAN_ANNEXES] if self.kind is ReportKind.GIAO_BAN else sp.ANNEXES
        )
        child_label = {
            OrgKind.DISTRICT: "Huyện, thị xã",
            OrgKind.COMMUNE: "Xã, phường",
            OrgKind.SCHOOL: "Trường",
        }.get(self.children[0].kind, "Đơn vị")
        out: list[AnnexTable] = []
        for title, codes in groups:
            specs = [sp.BY_CODE[c] for c in codes if c in have]
            specs = [s for s in specs if self.fig(s, self.unit.pk)[0] is not None]
            if not specs:
                continue
            n = len(out) + 1
            akey = f"pl{n}"
            cols = [AnnexColumn(child_label, "text")]
            parts: list[tuple[sp.Spec, str]] = []
            for s in specs:
                pct = self.unit_kind(s) is UnitKind.PERCENT
                if s.num_label:
                    cols.append(AnnexColumn(s.num_label, "count"))
                    cols.append(AnnexColumn(s.den_label, "count"))
                    parts += [(s, "numerator"), (s, "denominator")]
                head = f"{s.short} (%)" if pct else s.short
                cols.append(AnnexColumn(head, "percent" if pct else "count", self.decimals(s)))
                parts.append((s, "value"))
            rows: list[list[object]] = []
            total: list[object] = [self._total_label()]
            for c in [None, *self.children]:
                uid = self.unit.pk if c is None else c.pk
                cells: list[object] = []
                found = []
                for j, (s, f) in enumerate(parts, start=1):
                    v, num, den, ref = self.fig(s, uid)
                    raw = {"value": v, "numerator": num, "denominator": den}[f]
                    if raw is not None:
                        found.append((j, ref, raw, f))
                    cells.append(raw)
                if c is None:
                    where = "total"
                    total += cells
                elif found:
                    where = f"r{len(rows)}"
                    rows.append([c.name, *cells])
                else:
                    continue  # a child without any of these figures
                for j, ref, raw, f in found:
                    self.note(f"annex.{akey}.{where}.c{j}", ref, raw, f)
            out.append(
                AnnexTable(
                    f"Phụ lục {n}",
                    title,
                    cols,
                    rows,
                    total_row=total,
                    note=self._annex_note(),
                    key=akey,
                )
            )
        return out

    def _total_label(self) -> str:
        return {
            OrgKind.PROVINCE: "Toàn tỉnh",
            OrgKind.DISTRICT: "Toàn huyện",
            OrgKind.COMMUNE: "Toàn xã",
        }.get(self.unit.kind, "Tổng cộng")

    def _annex_note(self) -> str:
        tree = definitions.MODE_LABELS[self.mode].lower()
        policy = lower_first(definitions.POLICY_STATEMENTS[self.policy]).rstrip(".")
        return f"Nguồn: {policy} trên Tongket, năm học {self.P}; {tree} ({format_date(self.day)})."

    # -- whole ---------------------------------------------------------------------------
    def build(self) -> Built:
        self.load()
        nv = self.narrative
        body, symbol = issuing_body(self.unit, self.day, self.province)
        today = timezone.localdate()
        date = nv.date or default_date(self.kind, self.year, today)
        self.date = date
        summary = sp.SUMMARY[self.kind].format(p=self.P, n=self.next_year)
        inds = self.indicators()
        results, limits = self.register_and_pcgd()
        docs = sorted({t.source for t in self.resolved.values()})
        if docs:
            results.insert(0, "Chỉ tiêu kế hoạch theo: " + "; ".join(docs) + ".")
        intro = lines(nv.intro) or [f"{body.full_name} báo cáo {lower_first(summary)} như sau:"]
        if self.kind is ReportKind.SO_KET:
            intro.append(
                f"Số liệu học kỳ I lấy từ báo cáo sơ kết học kỳ I (biểu SK-HK1, kỳ {self.hk1}); "
                f"các chỉ tiêu huy động, trường lớp, đội ngũ lấy theo số liệu thống kê đầu năm "
                f"học {self.P}."
            )
        intro.append(definitions.POLICY_STATEMENTS[self.policy])
        intro += self.notes
        kind_sig = str(self.unit.kind)
        prefix, authority, position = sp.SIGNATURES.get(kind_sig, sp.SIGNATURES["school"])
        if nv.sign_prefix or nv.sign_position or nv.sign_authority:
            prefix = SignPrefix(nv.sign_prefix) if nv.sign_prefix else SignPrefix.NONE
            authority = nv.sign_authority or authority
            position = nv.sign_position
        tasks = lines(nv.tasks) or self.default_tasks(inds)
        report = ReviewReport(
            issuing_body=body,
            number=nv.number,
            symbol=nv.symbol or symbol,
            place=short_name(self.province) if self.province else short_name(self.unit),
            date=date,
            kind=self.kind,
            summary=summary,
            intro=intro,
            indicators=inds,
            results_text=results,
            units_behind=self.units_behind(inds),
            reporting=self.reporting(),
            staffing=self.staffing(),
            outliers=self.outliers() if self.kind is not ReportKind.GIAO_BAN else [],
            limitations_text=limits + lines(nv.limitations),
            causes=lines(nv.causes),
            next_targets=self.next_targets(),
            next_period=nv.next_period or self.default_next(),
            tasks=tasks,
            proposals=self.proposals(kind_sig),
            charts=self.chart_list(inds),
            annexes=self.annexes(),
            signature=Signature(prefix, authority, position, nv.sign_name),
            recipients=lines(nv.recipients) or list(sp.RECIPIENTS.get(kind_sig, [])),
            archive="VT",
            summary_table=self.kind is not ReportKind.GIAO_BAN or len(inds) > 3,
        )
        return Built(
            report,
            self.unit,
            self.P,
            self.kind,
            self.mode,
            self.day,
            self.sources,
            self.notes,
            self.policy,
        )

    def default_next(self) -> str:
        if self.kind is ReportKind.TONG_KET:
            return f"năm học {self.next_year}"
        if self.kind is ReportKind.SO_KET:
            return f"học kỳ II năm học {self.P}"
        return ""

    def default_tasks(self, inds: list[IndicatorResult]) -> list[str]:
        out = [
            f"Có giải pháp cụ thể để {lower_first(i.name)} đạt chỉ tiêu được giao."
            for i in inds
            if (v := verdict(i)) is not None and v.value == "chưa đạt"
        ]
        out.append(
            "Chỉ đạo các đơn vị nộp báo cáo thống kê đúng hạn, bảo đảm số liệu chính xác, "
            "thống nhất."
        )
        return out

    def proposals(self, kind_sig: str) -> list[ProposalGroup]:
        groups: list[ProposalGroup] = []
        default_to = sp.PROPOSAL_TO.get(kind_sig, "cấp trên")
        for raw in (self.narrative.proposals or "").splitlines():
            text = raw.strip()
            if not text:
                continue
            if text.endswith(":") or fold(text).startswith("doi voi "):
                head = text.rstrip(":").strip()
                head = head[8:] if fold(head).startswith("doi voi ") else head
                groups.append(ProposalGroup(head, []))
                continue
            if not groups:
                groups.append(ProposalGroup(default_to, []))
            groups[-1].items.append(text.lstrip("-•").strip())
        return [g for g in groups if g.items]


def build_report(
    unit: OrgUnit,
    period: str,
    kind: ReportKind | str = ReportKind.TONG_KET,
    mode: str = MODE_AS_OF,
    narrative: Narrative | None = None,
    charts: bool = True,
) -> Built:
    """Fill a ReviewReport for the unit (province, legacy district, commune or school)."""
    kind = ReportKind(kind)
    if mode not in (MODE_AS_OF, MODE_CURRENT):
        raise ReportError(f"chế độ cây không hợp lệ: {mode}")
    # drafts are cleaned on save; a row saved before that (or written around the action) must
    # still not break the Word file, which refuses control characters
    text = Narrative(**clean_texts(dataclasses.asdict(narrative or Narrative())))
    return _Builder(unit, period, kind, mode, text, charts).build()
