"""Collection fixtures: a round for the forms of a commune, schools and users in it."""

from __future__ import annotations

import datetime as dt

from tongket.catalog.models import Form
from tongket.collection import actions
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user


def open_th_round(period: str = "2025-2026", commune_code: str = "03127"):
    """A commune officer opens the primary start-of-year round for their commune."""
    c = commune(commune_code)
    officer = make_user(Role.COMMUNE, c)
    school = make_school(c, levels=("TH",), opened=dt.date(2010, 9, 1))
    form = Form.objects.get(code="02.ĐN-TH", is_current=True)
    rnd = actions.do_open_round(officer, form, period, c, due=dt.date(2099, 10, 30))
    return rnd, school.unit, officer, make_user(Role.SCHOOL, school.unit)


def good_values(n: int = 30) -> dict[tuple[str, str], object]:
    """A consistent primary school: 5 grades of n pupils in one class each."""
    v: dict[tuple[str, str], object] = {("schools", "level=TH"): 1}
    for g in range(1, 6):
        v[("classes", f"grade={g};level=TH")] = 1
        v[("pupils", f"grade={g};level=TH")] = n
        v[("pupils", f"grade={g};level=TH;sex=f")] = n // 2
    v[("staff", "level=TH;role=teacher")] = 8
    return v
