"""One truth: every figure of the demo read from every surface, paired by its provenance key
(indicator, unit, period, tree mode, counting policy), and compared.

Surfaces: the analytics API (the reference: value and its printed text), the dashboard page and
its Excel export, the review report (body, summary table and annex tables of the DOCX, through
the docgen trace ledger, and the XLSX annexes), and the register page. Units: the demo province,
a commune of the legacy tree (before 1/7/2025) and a commune of today's tree; every period of
the demo; both tree modes; both counting policies where a surface offers them. A difference
anywhere fails, with the surface, the key and both figures in the message.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from lxml import html
from openpyxl import load_workbook

from tongket.analytics import service
from tongket.analytics.fmt import format_value
from tongket.core import definitions as d
from tongket.core.periods import PeriodKind
from tongket.core.periods import parse as parse_period
from tongket.core.vntext import format_number
from tongket.reports import actions
from tongket.reports.docgen import render_docx
from tongket.reports.docgen.annex_xlsx import HEADER_ROW
from tongket.units import queries as uq
from tongket.units.models import REFORM_DATE, OrgUnit, UnitKind

pytestmark = pytest.mark.django_db

LEGACY_DAY = d.reference_date("2024-2025")  # 30/9/2024, the legacy tree
CURRENT_DAY = d.reference_date("2025-2026")  # 30/9/2025, today's tree


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("truth", "truth@example.org", "x")
    client.force_login(user)
    return client


def _with_schools(units, day):
    return next(u for u in units if uq.schools_under(u, day).exists())


@pytest.fixture
def units(province):
    """The province, a legacy commune and a current commune, each with schools."""
    legacy = _with_schools(
        (
            c
            for district in uq.children(province, LEGACY_DAY)
            for c in uq.children(district, LEGACY_DAY)
            if c.kind == UnitKind.COMMUNE
        ),
        LEGACY_DAY,
    )
    current = _with_schools(
        (c for c in uq.children(province, CURRENT_DAY) if c.kind == UnitKind.COMMUNE),
        CURRENT_DAY,
    )
    assert legacy.valid_to is not None and current.valid_from >= REFORM_DATE
    return [province, legacy, current]


class Api:
    """The analytics API as the reference reading, cached per query."""

    def __init__(self, client):
        self.client = client
        self.cache: dict = {}

    def values(self, unit_id: int, period: str, mode: str, policy: str) -> dict[str, dict]:
        key = (unit_id, period, mode, policy)
        if key not in self.cache:
            resp = self.client.get(
                "/api/analytics/values",
                {"unit": unit_id, "period": period, "mode": mode, "policy": policy},
            )
            assert resp.status_code == 200, (key, resp.content[:300])
            self.cache[key] = {r["indicator"]: r for r in resp.json()}
        return self.cache[key]

    def indicators(self) -> dict[str, dict]:
        if "info" not in self.cache:
            resp = self.client.get("/api/analytics/indicators")
            self.cache["info"] = {i["code"]: i for i in resp.json()}
        return self.cache["info"]


def _modes_of(unit: OrgUnit, period: str):
    for mode in d.MODES:
        if unit.active_on(uq.mode_day(period, mode)):
            yield mode


def _cases(units):
    for period in service.get().periods():
        for unit in units:
            for mode in _modes_of(unit, period):
                yield unit, period, mode


def _bare(text: str) -> str:
    return text.strip().rstrip("%").strip()


def test_the_demo_has_what_the_harness_needs(units):
    periods = service.get().periods()
    assert {"2024-2025", "2025-2026"} <= set(periods), periods
    # every unit is read in both modes for some period, and the legacy commune only as of
    modes = {(u.pk, m) for u, _, m in _cases(units)}
    assert {(units[0].pk, m) for m in d.MODES} <= modes
    assert (units[1].pk, d.MODE_CURRENT) not in modes and (units[1].pk, d.MODE_AS_OF) in modes


def test_dashboard_page_and_export_state_the_api_figures(admin_client, units):
    api = Api(admin_client)
    info = api.indicators()
    by_name = {i["name_vi"]: code for code, i in info.items()}
    compared = 0
    for unit, period, mode in _cases(units):
        for policy in d.Policy:
            ref = api.values(unit.pk, period, mode, policy.value)
            q = {"unit": unit.pk, "period": period, "mode": mode, "policy": policy.value}
            page = admin_client.get("/analytics/", q)
            assert page.status_code == 200
            rows = html.fromstring(page.content).xpath('//table[@id="plan"]//tr[td]')
            assert len(rows) == len(info), (q, len(rows))
            for row in rows:
                cells = [c.text_content().strip() for c in row.xpath("./td")]
                code = by_name[cells[0]]
                assert cells[1] == (ref[code]["text"] or "–"), ("dashboard", q, code, cells[1])
                compared += 1
            xlsx = admin_client.get("/analytics/xuat/plan.xlsx", q)
            ws = load_workbook(io.BytesIO(xlsx.content)).active
            for line in ws.iter_rows(values_only=True):
                if line and line[0] in ref:
                    got, want = line[3], ref[line[0]]["value"]
                    assert got == want or abs(got - want) < 1e-9, ("export", q, line[0], got, want)
                    compared += 1
    assert compared > 500


def _engine_sources(built):
    """trace key -> (indicator, unit, period, mode, policy, field) of figures the engine gives."""
    out = {}
    for key, src in built.sources.items():
        if src.kind == "engine":
            r = src.ref
            out[key] = (r["code"], r["unit"], r["period"], r["mode"], r["policy"], r["field"])
    return out


def _expected_text(api: Api, prov, info) -> tuple[float, str]:
    code, unit, period, mode, policy, field = prov
    row = api.values(unit, period, mode, policy)[code]
    value = row[field]
    assert value is not None, prov
    if field == "value":
        return value, _bare(format_value(value, info[code]["unit"], info[code]["decimals"]))
    return value, format_number(value)


def test_review_report_states_the_api_figures(admin_client, units):
    """Body, summary table and annexes of the DOCX (every printed number, by its trace key) and
    the XLSX annexes, for every school year of the demo, both modes, both policies."""
    api = Api(admin_client)
    info = api.indicators()
    years = [p for p in service.get().periods() if parse_period(p).kind == PeriodKind.SCHOOL_YEAR]
    seen: dict[str, int] = defaultdict(int)
    for unit in units:
        for period in years:
            for mode in _modes_of(unit, period):
                # both policies for the province; the communes' reports as they are signed
                policies = list(d.Policy) if unit.kind == UnitKind.PROVINCE else [d.REPORT_POLICY]
                for policy in policies:
                    actions.save_draft(None, unit, period, "tong-ket", {"policy": policy.value})
                    files = actions.generate(unit, period, "tong-ket", mode, charts=False)
                    built = files.built
                    assert built.policy == policy and built.mode == mode
                    provenance = _engine_sources(built)
                    rendered = render_docx(built.report)
                    for t in rendered.traces:
                        if t.key not in provenance:
                            continue
                        value, text = _expected_text(api, provenance[t.key], info)
                        assert abs(built.sources[t.key].raw - value) < 1e-9, (t, value)
                        assert _bare(t.text) == text, ("docx", t.key, t.text, text)
                        seen["docx"] += 1
                    _check_annex_xlsx(files, provenance, api, info, seen)
                    if policy is d.Policy.WORKING:  # the staffing page shows working figures
                        _check_staffing_page(admin_client, unit, period, mode, built, seen)
    assert seen["docx"] > 300 and seen["xlsx"] > 100 and seen["staffing"] > 3, seen


def _check_staffing_page(client, unit, period, mode, built, seen):
    """The staffing page's headline sentences are the report's staffing clauses."""
    from tongket.reports.docgen import sentences as S

    page = client.get("/norms/staffing/", {"unit": unit.pk, "period": period, "mode": mode})
    assert page.status_code == 200
    headline = [p.text_content().strip() for p in html.fromstring(page.content).xpath("//p/b/..")]
    text = str(S.staffing_sentence(built.report.staffing)) if built.report.staffing else ""
    for sentence in headline:
        if " giáo viên" in sentence and sentence.endswith("."):
            assert sentence[:-1] in text, ("staffing", unit, period, mode, sentence, text)
            seen["staffing"] += 1


def _check_annex_xlsx(files, provenance, api, info, seen):
    wb = load_workbook(io.BytesIO(files.xlsx))
    annex_sheets = wb.worksheets[1:]  # the first sheet is the summary of indicators
    for annex, ws in zip(files.built.report.annexes, annex_sheets, strict=True):
        for key, prov in provenance.items():
            m = re.fullmatch(rf"annex\.{annex.key}\.(r(\d+)|total)\.c(\d+)", key)
            if not m:
                continue
            row = HEADER_ROW + 1 + (int(m.group(2)) if m.group(2) else len(annex.rows))
            got = ws.cell(row, 2 + int(m.group(3))).value
            value, _ = _expected_text(api, prov, info)
            assert got is not None and abs(got - value) < 1e-9, ("xlsx", key, got, value)
            seen["xlsx"] += 1


def test_a_school_counts_once_and_the_register_states_the_standard_schools(admin_client, units):
    """'Số trường' is the unit tree's count on every surface (a liên cấp school once); the
    national-standard rate is the register's on the period's register date, and the register
    page says the same for that date."""
    api = Api(admin_client)
    for unit, period, mode in _cases(units):
        if parse_period(period).kind != PeriodKind.SCHOOL_YEAR:
            continue
        vals = api.values(unit.pk, period, mode, "working")
        day = uq.mode_day(period, mode)
        schools = uq.schools_under(unit, day).count()
        assert vals["total_schools"]["value"] == schools, (unit, period, mode)
        assert vals["national_standard_rate"]["denominator"] == schools
        per_level = sum(
            vals[c]["value"] or 0
            for c in ("schools_mn", "schools_th", "schools_thcs", "schools_thpt")
        )
        assert per_level - (vals["schools_lien_cap"]["value"] or 0) <= schools
        if mode != d.MODE_AS_OF or unit.kind != UnitKind.PROVINCE:
            continue
        on = d.register_date(period, uq.today())
        page = admin_client.get(
            "/norms/register/", {"unit": unit.pk, "on": on.strftime("%d/%m/%Y")}
        )
        cells = html.fromstring(page.content).xpath('//tr[@id="register-total"]/td')
        total, standard = (c.text_content().strip() for c in cells[1:3])
        assert total == format_number(schools), (period, total)
        std = vals["national_standard_rate"]
        assert standard == format_number(std["numerator"] or 0), (period, standard, std)
