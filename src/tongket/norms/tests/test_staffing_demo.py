"""The demo province: the staffing page's headline, its table and its sentences, the CLI and the
review report's staffing paragraph state the same figures, and no "trong đó" lists parts larger
than its total (issue #11, item 4)."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction

from tongket.core.definitions import DASHBOARD_POLICY
from tongket.core.models import Role
from tongket.core.testing.factories import make_user
from tongket.core.vntext import format_number
from tongket.norms import service
from tongket.reports.builder import MODE_AS_OF, MODE_CURRENT, _Builder
from tongket.reports.docgen import sentences as S

YEARS = ["2023-2024", "2024-2025", "2025-2026"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from tongket.demo.build import build_demo

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo("11", seed=7, max_communes=6)
        transaction.set_rollback(True)


@pytest.fixture
def province(demo, db):
    return demo.province


def _numbers(text: str) -> list[int]:
    return [int(t.replace(".", "")) for t in re.findall(r"\d+(?:\.\d{3})*", text)]


def _parts_within_totals(sentence: str) -> int:
    """Every "thiếu N giáo viên ... (trong đó a, b, ...)" has parts adding up to N, never more;
    returns how many such lists the sentence has."""
    found = 0
    for m in re.finditer(r"thiếu ([\d.]+) giáo viên[^(;]*\(trong đó ([^)]*)\)", sentence):
        total, parts = _numbers(m.group(1))[0], _numbers(m.group(2))
        assert parts and max(parts) <= total and sum(parts) == total, sentence
        found += 1
    return found


def _report_lines(unit, period: str, mode: str):
    """The review report's staffing lines, as its builder fills them (without the rest of the
    report, which needs the analytics engine)."""
    b = object.__new__(_Builder)
    b.unit, b.P, b.mode, b.sources = unit, period, mode, {}
    b.policy = DASHBOARD_POLICY  # the page's figures: the same counting policy
    return b.staffing(), b.sources


def _page_table(page: str) -> dict[str, list[str]]:
    """{group: cells} of the "Theo cấp học" table."""
    table = page.split("<h2>Theo cấp học", 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", tr.split("<details>", 1)[0], re.S)
        ]
        out[cells[0]] = cells[1:]
    return out


@pytest.mark.parametrize("period", YEARS)
def test_headline_table_sentences_cli_and_report_agree(province, period, client):
    rep = service.compute_staffing(province, period, "period")
    summary = rep.whole.summary
    assert summary.groups, period
    sentences = rep.whole.sentences
    assert len(sentences) == len(summary.groups)

    # one computation: gross and net add up, parts within their totals
    for b, sentence in zip(summary.groups, sentences, strict=True):
        assert b.surplus - b.shortage == b.balance
        assert sentence.startswith(b.label + " ")
        _parts_within_totals(sentence)
        outside = re.sub(r"\(trong đó [^)]*\)", "", sentence)
        nums = _numbers(outside)
        expected = [x for x in (b.shortage, b.surplus) if x]
        if b.shortage and b.surplus and b.balance:
            expected.append(abs(b.balance))
        assert nums == expected, sentence

    # the page: headline sentences, the table, all with Vietnamese thousands separators
    client.force_login(make_user(Role.ADMIN, None))
    page = client.get("/norms/staffing/", {"unit": province.pk, "period": period}).content
    page = page.decode()
    headline = [html.unescape(s) for s in re.findall(r"<p><b>(.*?)</b></p>", page)]
    assert headline == sentences
    table = _page_table(page)
    assert list(table) == [b.label for b in summary.groups]
    for b in summary.groups:
        schools, required, actual, short, surplus, net = table[b.label]
        assert (required, actual) == (format_number(b.required), format_number(b.actual))
        assert (short, surplus) == (format_number(b.shortage), format_number(b.surplus))
        word = "thiếu" if b.balance < 0 else "thừa" if b.balance > 0 else "đủ"
        assert net == (f"{word} {format_number(abs(b.balance))}" if b.balance else "đủ")
        # the table's figures are the ones the headline sentence states
        sentence = next(s for s in headline if s.startswith(b.label + " "))
        if b.shortage:
            assert f"thiếu {short} giáo viên" in sentence
        if b.surplus:
            assert f"thừa {surplus} giáo viên" in sentence
        if b.shortage and b.surplus and b.balance:
            assert sentence.endswith(f"cân đối {net} giáo viên.")
    # every figure of every table cell has its thousands grouped ("1.265", never "1265")
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', page, re.S)
    figures = [t for c in cells for t in re.findall(r"\d[\d.]*", re.sub(r"<[^>]+>", "", c))]
    assert figures and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in figures)

    # the CLI prints the same sentences
    out = io.StringIO()
    call_command("norms", "staffing", province="11", period=period, stdout=out)
    assert out.getvalue().splitlines() == sentences

    # the review report's paragraph: the same clauses, traced to the same figures
    lines, sources = _report_lines(province, period, MODE_AS_OF)
    text = str(S.staffing_sentence(lines))
    for b, sentence in zip(summary.groups, sentences, strict=True):
        if b.shortage or b.surplus:
            assert sentence[:-1] in text  # without its final period
    assert _parts_within_totals(text) == sum(1 for ln in lines if ln.subjects_short) > 0
    for ln in lines:
        b = summary.group(ln.level)
        assert (ln.shortage, ln.surplus, ln.balance) == (b.shortage, b.surplus, b.balance)
        assert sum(ln.subjects_short.values()) in (0, ln.shortage)
        if ln.shortage and ln.surplus and ln.balance:
            assert sources[f"staffing.{ln.level}.net"].raw == abs(b.balance)


def test_tree_modes_and_children_add_up_to_the_whole(province):
    period = "2024-2025"
    whole = {}
    for mode in ("period", "today"):
        rep = service.compute_staffing(province, period, mode)
        whole[mode] = {
            b.label: (b.shortage, b.surplus, b.balance) for b in rep.whole.summary.groups
        }
        for b in rep.whole.summary.groups:
            kids = [c.summary.group(b.label) for c in rep.children]
            kids = [k for k in kids if k is not None]
            assert sum(k.shortage for k in kids) == b.shortage
            assert sum(k.surplus for k in kids) == b.surplus
            assert sum(k.balance for k in kids) == b.balance
    assert whole["period"] == whole["today"]  # the same schools, regrouped
    lines, _ = _report_lines(province, period, MODE_CURRENT)
    assert {ln.level: (ln.shortage, ln.surplus, ln.balance) for ln in lines} == {
        k: v for k, v in whole["today"].items() if v[0] or v[1]
    }
