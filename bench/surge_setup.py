"""Set-up of the surge bench (bench_surge.py): a fresh PostgreSQL database with the real tree,
the catalog pack, N primary schools under one province's current communes, one school user
and API token each, and the reporting rounds the scenarios submit into.

Everything Django-side runs in the bench process after `django_setup(url)`; the schema, the
tree and the pack are loaded with the project's own CLI (`tongket migrate / units load /
packs load`) in subprocesses, as an operator would.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "tongket_bench"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PROVINCE = "01"  # Hà Nội: 126 current communes, the largest school count in the country
SCHOOL_PREFIX = "BS"
MAIN_PERIOD = "2026-2027"  # the surge: start-of-year round of 2026-2027
BASE_PERIOD = "2025-2026"  # baseline (sequential) and the in-process profile sample
WIDE_PERIOD = "2027-2028"  # the ~500-value scenario (a bench-only wide form)
REPORT_PERIOD = "2028-2029"  # the one-request surge (POST …/report)
WIDE_FORM = "BENCH.500-TH"
WIDE_CELLS = 500


@dataclass
class School:
    unit_id: int
    code: str
    token: str


@dataclass
class Setup:
    province_id: int
    officer_id: int
    schools: list[School]
    rounds: dict[str, int]  # main, base, wide -> round id
    timings: dict[str, float] = field(default_factory=dict)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-4000:] + res.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB_URL,
        DJANGO_SETTINGS_MODULE="tongket.settings",
        TONGKET_DATA_DIR=str(ROOT / "var" / "bench_surge"),
    )
    env.setdefault("TONGKET_DEBUG", "true")  # the set-up CLI; the server sets debug off
    return env


def load_schema_tree_pack(timings: dict[str, float]) -> None:
    """Fresh database, migrations, the real tree and the catalog pack (project CLI)."""
    env = base_env()
    tongket = str(BIN / "tongket")
    t = time.perf_counter()
    recreate_database()
    _run([tongket, "migrate", "--no-input", "-v0"], env)
    timings["create database + migrate"] = time.perf_counter() - t
    t = time.perf_counter()
    _run([tongket, "units", "load"], env)
    timings["tongket units load (real tree)"] = time.perf_counter() - t
    t = time.perf_counter()
    _run([tongket, "packs", "load"], env)
    timings["tongket packs load"] = time.perf_counter() - t


def django_setup() -> None:
    os.environ.update(base_env())
    import django

    django.setup()


def create_schools(n: int, timings: dict[str, float]) -> tuple[int, list[int]]:
    """n single-level primary schools spread over the province's current communes, created in
    bulk the way the demo builder does (units, school rows, parent links, then the closure)."""
    from django.db import transaction

    from tongket.core.vntext import fold, nfc
    from tongket.units.actions import rebuild_closure
    from tongket.units.models import EPOCH, OrgUnit, School, UnitKind, UnitParent
    from tongket.units.queries import descendants, unit_by_code

    t = time.perf_counter()
    on = dt.date(2026, 9, 30)
    province = unit_by_code(UnitKind.PROVINCE, PROVINCE, on)
    communes = list(descendants(province, on, kind=UnitKind.COMMUNE).order_by("code"))
    with transaction.atomic():
        units, meta = [], []
        for i in range(n):
            commune = communes[i % len(communes)]
            code = f"{SCHOOL_PREFIX}{i + 1:06d}"
            name = nfc(
                f"Trường Tiểu học {commune.name.split(' ', 1)[-1]} số {i // len(communes) + 1}"
            )
            start = max(EPOCH, commune.valid_from)
            units.append(
                OrgUnit(
                    kind=UnitKind.SCHOOL,
                    code=code,
                    name=name,
                    search_key=fold(f"{name} {code}"),
                    valid_from=start,
                )
            )
            meta.append(commune)
        OrgUnit.objects.bulk_create(units, batch_size=1000)
        School.objects.bulk_create(
            [School(unit=u, levels=["TH"], opened=dt.date(2005, 9, 1)) for u in units],
            batch_size=1000,
        )
        UnitParent.objects.bulk_create(
            [
                UnitParent(child=u, parent=c, valid_from=u.valid_from, valid_to=c.valid_to)
                for u, c in zip(units, meta, strict=True)
            ],
            batch_size=1000,
        )
        rebuild_closure([u.pk for u in units])
    timings[f"{n} schools (bulk) + closure"] = time.perf_counter() - t
    return province.pk, [u.pk for u in units]


def create_users(province_id: int, unit_ids: list[int], timings: dict[str, float]):
    """One school user per school (token only, no password) with an API token, and the
    provincial officer who opens the rounds."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from tongket.core.models import Profile, Role
    from tongket.core.tokens import create_token
    from tongket.units.models import OrgUnit

    User = get_user_model()
    t = time.perf_counter()
    with transaction.atomic():
        users = []
        for i in range(len(unit_ids)):
            u = User(username=f"bench_school_{i + 1:06d}")
            u.set_unusable_password()
            users.append(u)
        User.objects.bulk_create(users, batch_size=1000)
        Profile.objects.bulk_create(
            [
                Profile(user=u, role=Role.SCHOOL, unit_id=uid, full_name=f"Cán bộ trường {uid}")
                for u, uid in zip(users, unit_ids, strict=True)
            ],
            batch_size=1000,
        )
        tokens = [create_token(u, "bench surge") for u in users]
        officer = User(username=f"bench_so{PROVINCE}")
        officer.set_unusable_password()
        officer.save()
        Profile.objects.create(
            user=officer,
            role=Role.PROVINCE,
            unit=OrgUnit.objects.get(pk=province_id),
            full_name="Chuyên viên Sở (bench)",
        )
    timings[f"{len(unit_ids)} users + API tokens"] = time.perf_counter() - t
    codes = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "code"))
    schools = [School(uid, codes[uid], tok) for uid, tok in zip(unit_ids, tokens, strict=True)]
    return officer, schools


def create_wide_form() -> None:
    """A bench-only form (this database only): the 02.ĐN-TH layout plus one section of a
    synthetic element, so a school sends ~500 values through the same code path. The real
    primary form has 78 cells and the API refuses any cell that is not on the form."""
    from tongket.catalog.models import DataElement, Dimension, Form
    from tongket.core.expr import combo_key

    th = Form.objects.get(code="02.ĐN-TH", is_current=True)
    extra = WIDE_CELLS - len(th.cells)
    options = {f"{i:03d}": f"Mục {i:03d}" for i in range(1, extra + 1)}
    Dimension.objects.create(code="bench_item", name_vi="Mục (bench)", options=options)
    DataElement.objects.create(
        code="bench_item_count",
        name_vi="Số liệu bổ sung (bench)",
        value_type="count",
        dims=["bench_item", "level"],
    )
    rows = []
    cells = [list(c) for c in th.cells]
    for i, opt in enumerate(options, start=1):
        combo = combo_key({"bench_item": opt, "level": "TH"})
        rows.append(
            {
                "code": f"7{i:03d}",
                "label": options[opt],
                "element": "bench_item_count",
                "combo": combo_key({"bench_item": opt}),
                "total": False,
                "cells": [{"element": "bench_item_count", "combo": combo, "computed": False}],
            }
        )
        cells.append(["bench_item_count", combo, False])
    layout = {
        "sections": [
            *th.layout["sections"],
            {"code": "VII", "title": "Bổ sung (bench)", "columns": ["Tổng số"], "rows": rows},
        ]
    }
    Form.objects.create(
        code=WIDE_FORM,
        version="bench",
        name_vi="Biểu rộng (bench, 500 ô)",
        round=th.round,
        period_kind=th.period_kind,
        levels=th.levels,
        source="bench/bench_surge.py",
        layout=layout,
        cells=cells,
        is_current=True,
    )


def open_rounds(officer, province_id: int, timings: dict[str, float]) -> dict[str, int]:
    from tongket.catalog.models import Form
    from tongket.collection.actions import do_open_round
    from tongket.units.models import OrgUnit

    t = time.perf_counter()
    province = OrgUnit.objects.get(pk=province_id)
    th = Form.objects.get(code="02.ĐN-TH", is_current=True)
    create_wide_form()
    wide = Form.objects.get(code=WIDE_FORM)
    out = {
        "main": do_open_round(officer, th, MAIN_PERIOD, province).pk,
        "base": do_open_round(officer, th, BASE_PERIOD, province).pk,
        "wide": do_open_round(officer, wide, WIDE_PERIOD, province).pk,
        "report": do_open_round(officer, th, REPORT_PERIOD, province).pk,
    }
    timings["open rounds (do_open_round) + wide form"] = time.perf_counter() - t
    return out


def build(n: int) -> Setup:
    timings: dict[str, float] = {}
    load_schema_tree_pack(timings)
    django_setup()
    province_id, unit_ids = create_schools(n, timings)
    officer, schools = create_users(province_id, unit_ids, timings)
    rounds = open_rounds(officer, province_id, timings)
    t = time.perf_counter()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - t
    return Setup(province_id, officer.pk, schools, rounds, timings)


def reuse() -> Setup:
    """Re-run on the database of a previous set-up: forget what the scenarios wrote and issue
    fresh tokens (the keys are shown once). For iterating on the code, not for the figures."""
    django_setup()
    from django.db import connection, transaction

    from tongket.collection.models import DataValue, ReportingRound, Submission
    from tongket.core.models import ApiToken, Profile, Role
    from tongket.core.tokens import create_token
    from tongket.units.models import OrgUnit, UnitKind

    t = time.perf_counter()
    rounds = {
        "main": ReportingRound.objects.get(form__code="02.ĐN-TH", period=MAIN_PERIOD).pk,
        "base": ReportingRound.objects.get(form__code="02.ĐN-TH", period=BASE_PERIOD).pk,
        "wide": ReportingRound.objects.get(form__code=WIDE_FORM, period=WIDE_PERIOD).pk,
    }
    found = ReportingRound.objects.filter(form__code="02.ĐN-TH", period=REPORT_PERIOD).first()
    if found is None:  # a set-up from before the one-request scenario
        from tongket.catalog.models import Form
        from tongket.collection.actions import do_open_round
        from tongket.core.models import Profile as P

        so = P.objects.get(role=Role.PROVINCE, user__username=f"bench_so{PROVINCE}")
        th = Form.objects.get(code="02.ĐN-TH", is_current=True)
        found = do_open_round(so.user, th, REPORT_PERIOD, so.unit)
    rounds["report"] = found.pk
    profs = list(
        Profile.objects.filter(role=Role.SCHOOL, unit__code__startswith=SCHOOL_PREFIX)
        .select_related("user", "unit")
        .order_by("unit__code")
    )
    with transaction.atomic():
        units = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, code__startswith=SCHOOL_PREFIX)
        DataValue.objects.filter(unit__in=units).delete()
        Submission.objects.filter(round_id__in=rounds.values()).delete()
        ApiToken.objects.filter(user__in=[p.user for p in profs]).delete()
        schools = [
            School(p.unit_id, p.unit.code, create_token(p.user, "bench surge")) for p in profs
        ]
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    officer = Profile.objects.get(role=Role.PROVINCE, user__username=f"bench_so{PROVINCE}")
    return Setup(
        officer.unit_id,
        officer.user_id,
        schools,
        rounds,
        {"reset (reuse)": time.perf_counter() - t},
    )


def random_key(n: int = 56) -> str:
    rnd = random.SystemRandom()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    return "".join(rnd.choice(alphabet) for _ in range(n))
