"""The demo province as a test fixture, for every app's tests (registered in conftest.py).

`demo` builds it once per test module inside a transaction rolled back at the end (each test's
own transaction nests in it as a savepoint), with its targets, certificates and PCGD survey;
the analytics engines are rebuilt from it once per module.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

SEED = 7


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from tongket.analytics import service
    from tongket.analytics.actions import demo_targets
    from tongket.demo.build import build_demo
    from tongket.norms import actions as norms

    with django_db_blocker.unblock(), transaction.atomic():
        rep = build_demo("11", seed=SEED, max_communes=6)
        norms.seed_demo_register(rep.province)
        demo_targets("11")
        norms.run_pcgd_demo(rep.province, 2024, people=40)
        service.reset()
        service.get().rebuild()
        yield rep
        service.reset()
        transaction.set_rollback(True)


@pytest.fixture
def province(demo, db):
    return demo.province


def a_commune(province, on=dt.date(2025, 9, 30)):
    from tongket.units.queries import children

    return next(c for c in children(province, on) if c.kind == "commune")
