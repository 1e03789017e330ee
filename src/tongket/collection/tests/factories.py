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


def desk_round():
    """A provincial primary round (commune then Sở approval, due 30/10/2025: behind schedule)
    over four schools of one commune, each in another state:

    clean   submitted, no problem            -> waits for the commune
    warned  submitted, a warning explained   -> waits for the commune
    passed  submitted, approved by commune   -> waits for the Sở
    late    nothing entered                  -> behind
    and `clean` has last year's values (2024-2025) with its grade-1 pupils tripled since."""
    from tongket.catalog.models import DataElement
    from tongket.collection.models import DataValue
    from tongket.units.models import UnitKind
    from tongket.units.queries import unit_by_code

    c = commune("03127")
    province = unit_by_code(UnitKind.PROVINCE, "11", dt.date(2025, 9, 1))
    so = make_user(Role.PROVINCE, province)
    xa = make_user(Role.COMMUNE, c)
    form = Form.objects.get(code="02.ĐN-TH", is_current=True)
    rnd = actions.do_open_round(so, form, "2025-2026", province, due=dt.date(2025, 10, 30))
    names = ("clean", "warned", "passed", "late")
    schools = {
        n: make_school(c, name=f"Trường Tiểu học {n.title()}", opened=dt.date(2010, 9, 1)).unit
        for n in names
    }
    users = {n: make_user(Role.SCHOOL, u) for n, u in schools.items()}
    for n in ("clean", "warned", "passed"):
        sub = actions.access_submission(users[n], rnd, schools[n].pk, write=True)
        values = good_values(45 if n == "warned" else 30)
        sub = actions.do_save_values(users[n], sub, values, expected_version=sub.version)
        why = {actions.warning_key(v): "Thiếu phòng học" for v in actions.validate_submission(sub)}
        actions.do_submit(users[n], sub, expected_version=sub.version, explanations=why)
    actions.do_approve(xa, actions.access_submission(xa, rnd, schools["passed"].pk, write=False))
    pupils = DataElement.objects.get(code="pupils")
    for (element, combo), value in good_values(30).items():
        if element == "pupils" and combo == "grade=1;level=TH":
            value = 10  # 10 -> 30: +200%, the cell that moved most
        DataValue.objects.create(
            element=DataElement.objects.get(code=element) if element != "pupils" else pupils,
            combo=combo,
            unit=schools["clean"],
            period="2024-2025",
            value=float(value),  # type: ignore[arg-type]
            source="import",
        )
    return rnd, schools, users, xa, so
