"""Bench: the start-of-year surge. N primary schools submit the 02.ĐN-TH form through the API
(PUT values, then POST submit) against gunicorn on PostgreSQL, within minutes.

    .venv/bin/python bench/bench_surge.py [--schools 3000] [--quick] [--write]

Set-up (timed apart, not in the figures): a fresh database `tongket_bench` on 127.0.0.1:5432,
migrations, the real tree (`tongket units load`), the catalog pack (`tongket packs load`), N TH
schools under the current communes of province 01 (bulk), one school user + API token each,
and the rounds opened by a provincial officer (collection.actions.do_open_round).

Scenarios, in this order, on one gunicorn (sync workers, 127.0.0.1:<free port>,
TONGKET_DEBUG=false):
  warm-up    2 x workers schools, base round (not measured)
  baseline   B schools one after another over one connection, base round (2025-2026)
  surge      all N schools, `--concurrency` connections, main round (2026-2027): 78 values each
  wide       W schools, same concurrency, a bench-only 500-cell form (2027-2028)
Before the server starts, a sample of P schools goes through the Django test client in-process
under cProfile, with the SQL queries counted per request (the hot-path profile).

Afterwards the database is checked: one submission per school, all submitted; exactly the
values sent (plus the form's computed totals), no duplicate keys; one audit row per value
written; one "submitted" event per school.

The load generator only targets 127.0.0.1 and stops by itself: a bounded job list and a
deadline per scenario (`--deadline`, seconds).

Writes var/bench_surge/results-<label>.json; `--write` also writes the bench:surge section of
docs/performance.md (with a before/after table when `--before <results.json>` is given).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import surge_cpu
import surge_load
import surge_report
import surge_setup

ROOT = surge_setup.ROOT
OUT_DIR = ROOT / "var" / "bench_surge"
SECRET = surge_setup.random_key(56)


# ---- payloads ----------------------------------------------------------------------------


def th_values(seed: int, inputs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """A plausible primary school's start-of-year figures (the demo generator), restricted to
    the form's input cells."""
    from tongket.demo import synth

    rnd = random.Random(seed)
    prof = synth.SchoolProfile(
        f"S{seed}",
        ("TH",),
        rnd.uniform(0.5, 1.6),
        rnd.uniform(0.0, 0.9),
        rnd.choice([0, 1, 2]),
        rnd.randint(0, 10**9),
    )
    soy = synth.start_of_year(prof, "TH", 2026)
    two = sum(v for (e, c), v in soy.items() if e == "classes_two_session")
    soy[("classes_two_session", "level=TH")] = two
    return {k: float(soy.get(k, 0)) for k in inputs}


def build_jobs(schools, form_code: str, seed0: int):
    """Jobs (serialised bodies, explanations for the warnings a school must explain) and the
    values the database must hold afterwards, per unit."""
    from tongket.catalog.models import Form
    from tongket.collection import actions, forms_logic
    from tongket.quality.rules import evaluate

    form = Form.objects.get(code=form_code, is_current=True)
    th = Form.objects.get(code="02.ĐN-TH", is_current=True)
    inputs = form.input_cells()
    th_inputs = set(th.input_cells())
    rules = actions.rules_for(form)
    jobs, expected = [], {}
    for i, s in enumerate(schools):
        seed = seed0 + i
        vals = th_values(seed, [k for k in inputs if k in th_inputs])
        rnd = random.Random(seed)
        for k in inputs:
            if k not in vals:  # the synthetic section of the wide form
                vals[k] = float(rnd.randint(0, 500))
        merged = {**vals, **forms_logic.compute_totals(form, vals)}
        warnings = [v for v in evaluate(rules, merged) if v.severity == "warning"]
        expl = {actions.warning_key(v): "Trường đông học sinh, thiếu phòng học." for v in warnings}
        body = {
            "version": 0,
            "values": [{"element": e, "combo": c, "value": v} for (e, c), v in vals.items()],
        }
        report = {**body, "explanations": expl}
        jobs.append(
            surge_load.Job(
                s.unit_id, s.token, json.dumps(body).encode(), expl, json.dumps(report).encode()
            )
        )
        expected[s.unit_id] = {k: v for k, v in merged.items() if v is not None}
    return jobs, expected


# ---- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    env = surge_setup.base_env()
    env.update(TONGKET_DEBUG="false", TONGKET_SECRET_KEY=SECRET, TONGKET_SSL_REDIRECT="false")
    return env


def start_gunicorn(workers: int, worker_class: str, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(surge_setup.BIN / "gunicorn"),
        "tongket.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--error-logfile",
        str(OUT_DIR / "gunicorn.log"),
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, env=server_env(), cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start; see var/bench_surge/gunicorn.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc, base
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not listen within 30 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---- CPU accounting (from /proc) ---------------------------------------------------------

# ---- measuring ---------------------------------------------------------------------------


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def summarise(name: str, res: surge_load.RunResult, values_per_school: int, cpu: dict) -> dict:
    out = {
        "scenario": name,
        "schools": res.jobs,
        "submitted": res.submitted,
        "wall_s": res.wall_s,
        "submissions_per_s": res.submitted / res.wall_s if res.wall_s else 0.0,
        "values_per_s": res.submitted * values_per_school / res.wall_s if res.wall_s else 0.0,
        "values_per_school": values_per_school,
        "statuses": dict(res.statuses),
        "failures": res.failures[:10],
        "timed_out": res.timed_out,
        "latency_ms": {
            kind: {
                "p50": 1000 * pct(xs, 50),
                "p95": 1000 * pct(xs, 95),
                "p99": 1000 * pct(xs, 99),
                "max": 1000 * max(xs) if xs else float("nan"),
                "n": len(xs),
            }
            for kind, xs in res.latencies.items()
        },
        "cpu_s": cpu,
    }
    n = max(1, res.submitted)
    out["cpu_ms_per_submission"] = {
        k: 1000 * cpu[k] / n for k in ("gunicorn", "postgres", "loadgen", "others", "machine_busy")
    }
    out["machine_busy_pct"] = 100 * cpu["machine_busy"] / max(1e-9, cpu["machine_total"])
    return out


def print_summary(s: dict) -> None:
    lat = s["latency_ms"]
    print(
        f"  {s['scenario']}: {s['submitted']}/{s['schools']} submitted in {s['wall_s']:.1f} s = "
        f"{s['submissions_per_s']:.1f} submissions/s, {s['values_per_s']:,.0f} values/s"
    )
    for kind in ("put", "submit", "report"):
        x = lat[kind]
        if not x["n"]:
            continue
        print(
            f"    {kind:6} p50 {x['p50']:.0f} ms  p95 {x['p95']:.0f} ms  p99 {x['p99']:.0f} ms"
            f"  max {x['max']:.0f} ms  (n={x['n']})"
        )
    c = s["cpu_ms_per_submission"]
    print(
        f"    CPU per submission: gunicorn {c['gunicorn']:.1f} ms, postgres {c['postgres']:.1f} ms,"
        f" load generator {c['loadgen']:.1f} ms, other jobs {c['others']:.1f} ms;"
        f" machine busy {s['machine_busy_pct']:.0f} %"
    )
    if s["failures"]:
        print("    failures:", *s["failures"][:5], sep="\n      ")


def scenario(
    name, base, rnd_id, jobs, concurrency, deadline, meter, values_per_school, mode="two-step"
) -> dict:
    with meter:
        res = surge_load.run(base, rnd_id, jobs, concurrency, deadline, mode)
    cpu = meter.result
    s = summarise(name, res, values_per_school, cpu)
    s["concurrency"] = concurrency
    s["mode"] = mode
    print_summary(s)
    return s


def profile_in_process(rnd_id: int, jobs: list[surge_load.Job], top: int = 25) -> dict:
    """The same requests through Django's test client in this process: cProfile over them and
    the SQL queries per request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    queries: dict[str, list[int]] = {"put": [], "submit": [], "report": []}
    times: dict[str, list[float]] = {"put": [], "submit": [], "report": []}
    prof = cProfile.Profile()

    def call(kind: str, method, url: str, body, h) -> dict:
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            prof.enable()
            r = method(url, body, content_type="application/json", **h)
            prof.disable()
            times[kind].append(time.perf_counter() - t)
        assert r.status_code == 200, r.content[:300]
        queries[kind].append(len(q.captured_queries))
        return r.json()

    for i, job in enumerate(jobs):
        url = f"/api/collection/rounds/{rnd_id}/units/{job.unit_id}"
        h = {"HTTP_AUTHORIZATION": f"Bearer {job.token}"}
        if i % 2:  # every other school in one request, the rest in two
            out = call("report", client.post, url + "/report", job.report_body, h)
        else:
            put = call("put", client.put, url + "/values", job.put_body, h)
            body = json.dumps({"version": put["version"], "explanations": job.explanations})
            out = call("submit", client.post, url + "/submit", body, h)
        assert out["status"] == "submitted", out
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(r"tongket", top)
    stats.sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    (OUT_DIR / "profile.txt").write_text(text)
    # project functions by cumulative time, per request (for the doc)
    rows = []
    for (file, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/tongket/" in file and "/tests/" not in file:
            mod = file.split("/tongket/", 1)[1].removesuffix(".py").replace("/", ".")
            rows.append((ct, f"{mod}.{func}", nc))
    rows.sort(reverse=True)
    n = max(1, len(jobs))
    return {
        "schools": len(jobs),
        "queries_per_request": {k: sum(v) / max(1, len(v)) for k, v in queries.items()},
        "ms_per_request": {k: 1000 * sum(v) / max(1, len(v)) for k, v in times.items()},
        "hot": [(name, 1000 * ct / n, calls / n) for ct, name, calls in rows[:top]],
    }


def excel_in_process(rnd_id: int, schools, jobs: list[surge_load.Job]) -> dict:
    """The Excel path through the web views, in this process (Django test client, one school
    after another): download the pre-filled workbook, type the figures in (openpyxl), upload
    (dry run), confirm, then submit through the API. Not over gunicorn: with DEBUG off the
    session cookie is Secure, and the bench speaks plain HTTP."""
    import openpyxl
    from django.test import Client

    from tongket.collection.excel import plan_layout
    from tongket.collection.models import PendingUpload, ReportingRound

    rnd = ReportingRound.objects.select_related("form").get(pk=rnd_id)
    plan = plan_layout(rnd.form.code, rnd.form.layout)
    from tongket.core.models import Profile

    users = {
        p.unit_id: p.user
        for p in Profile.objects.filter(unit_id__in=[s.unit_id for s in schools]).select_related(
            "user"
        )
    }
    times: dict[str, list[float]] = {
        "download": [],
        "fill": [],
        "upload": [],
        "confirm": [],
        "submit": [],
    }
    t_all = time.perf_counter()
    for s, job in zip(schools, jobs, strict=True):
        client = Client()
        client.force_login(users[s.unit_id])
        values = {
            (c["element"], c["combo"]): c["value"] for c in json.loads(job.put_body)["values"]
        }
        t = time.perf_counter()
        r = client.get(f"/collection/rounds/{rnd_id}/units/{s.unit_id}/excel/")
        times["download"].append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
        t = time.perf_counter()
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        ws = wb[plan.sheet]
        for pc in plan.cells:
            if pc.kind == "input" and (pc.element, pc.combo) in values:
                ws.cell(row=pc.row, column=pc.col).value = values[(pc.element, pc.combo)]
        buf = io.BytesIO()
        wb.save(buf)
        f = io.BytesIO(buf.getvalue())
        f.name = f"bieu02-{s.unit_id}.xlsx"
        times["fill"].append(time.perf_counter() - t)
        t = time.perf_counter()
        r = client.post(f"/collection/rounds/{rnd_id}/upload/", {"file": f, "unit": s.unit_id})
        times["upload"].append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
        pending = PendingUpload.objects.filter(user=users[s.unit_id]).latest("pk")
        t = time.perf_counter()
        r = client.post(f"/collection/uploads/{pending.pk}/confirm/")
        times["confirm"].append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
        sub = client.get(
            f"/api/collection/rounds/{rnd_id}/units/{s.unit_id}",
            HTTP_AUTHORIZATION=f"Bearer {s.token}",
        ).json()
        t = time.perf_counter()
        r = client.post(
            f"/api/collection/rounds/{rnd_id}/units/{s.unit_id}/submit",
            json.dumps({"version": sub["version"], "explanations": job.explanations}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {s.token}",
        )
        times["submit"].append(time.perf_counter() - t)
        assert r.status_code == 200 and r.json()["status"] == "submitted", r.content[:300]
    wall = time.perf_counter() - t_all
    return {
        "schools": len(jobs),
        "wall_s": wall,
        "submissions_per_s": len(jobs) / wall,
        "latency_ms": {
            k: {"p50": 1000 * pct(v, 50), "p95": 1000 * pct(v, 95)} for k, v in times.items()
        },
    }


# ---- checking the database ---------------------------------------------------------------


def verify(rnd_id: int, expected: dict[int, dict[tuple[str, str], float]]) -> dict:
    """Zero lost, zero duplicated: submissions, values, audit rows and events against what was
    sent. `expected` maps each unit that was sent to its values (input cells + totals)."""
    from django.db.models import Count

    from tongket.collection.models import (
        DataValue,
        ReportingRound,
        Submission,
        SubmissionEvent,
        ValueAudit,
    )

    rnd = ReportingRound.objects.get(pk=rnd_id)
    units = list(expected)
    subs = Submission.objects.filter(round=rnd, unit_id__in=units)
    status = Counter(subs.values_list("status", flat=True))
    per_unit = Counter(subs.values_list("unit_id", flat=True))
    versions = Counter(subs.values_list("version", flat=True))
    rows = DataValue.objects.filter(unit_id__in=units, period=rnd.period).values_list(
        "unit_id", "element__code", "combo", "value", "submission__round_id"
    )
    got: dict[tuple[int, str, str], list[float]] = {}
    wrong_round = 0
    for uid, e, c, v, r in rows.iterator(chunk_size=20000):
        got.setdefault((uid, e, c), []).append(v)
        wrong_round += r != rnd_id
    want = {(uid, e, c): v for uid, vals in expected.items() for (e, c), v in vals.items()}
    lost = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    dup = [k for k, vs in got.items() if len(vs) > 1]
    mismatch = [k for k, v in want.items() if k in got and got[k][0] != v]
    audits = ValueAudit.objects.filter(submission__round=rnd, unit_id__in=units)
    audit_count = audits.count()
    audit_dups = (
        audits.values("submission_id", "element_code", "combo")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    audit_new_match = 0  # audit rows that record exactly a value sent: old None, new = value
    for uid, e, c, old, new in audits.values_list(
        "unit_id", "element_code", "combo", "old_value", "new_value"
    ).iterator(chunk_size=20000):
        audit_new_match += old is None and want.get((uid, e, c)) == new
    events = SubmissionEvent.objects.filter(
        submission__round=rnd, submission__unit_id__in=units, status="submitted"
    ).count()
    n_units, n_values = len(units), len(want)
    out = {
        "units_sent": n_units,
        "submissions": sum(per_unit.values()),
        "units_with_more_than_one_submission": sum(1 for c in per_unit.values() if c > 1),
        "status": dict(status),
        "versions": {str(k): v for k, v in versions.items()},
        "values_expected": n_values,
        "values_in_db": sum(len(v) for v in got.values()),
        "lost_values": len(lost),
        "extra_values": len(extra),
        "duplicate_keys": len(dup),
        "value_mismatches": len(mismatch),
        "values_pointing_at_another_round": wrong_round,
        "audit_rows": audit_count,
        "audit_rows_as_new_values": audit_new_match,
        "audit_duplicates": audit_dups,
        "submitted_events": events,
    }
    out["ok"] = (
        out["submissions"] == n_units
        and status.get("submitted", 0) == n_units
        and not out["units_with_more_than_one_submission"]
        and out["values_in_db"] == n_values
        and not (lost or extra or dup or mismatch or wrong_round)
        and audit_count == n_values == audit_new_match
        and not audit_dups
        and events == n_units
    )
    return out


# ---- the doc -----------------------------------------------------------------------------


# ---- main --------------------------------------------------------------------------------


def excel_upload_endpoint() -> str | None:
    """An HTTP route that uploads a filled-in workbook, if the project has one yet."""
    from django.urls import get_resolver

    from tongket.api import api

    names = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                names.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    schema = json.dumps(api.get_openapi_schema())
    hits = [n for n in names if "upload" in n]
    hits += [p for p in ("upload",) if f"/{p}" in schema]
    return hits[0] if hits else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", type=int, default=3000)
    ap.add_argument("--quick", action="store_true", help="300 schools, smaller samples")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--baseline", type=int, default=200, help="schools in the sequential run")
    ap.add_argument("--surge", type=int, default=0, help="schools in the surge (0 = all)")
    ap.add_argument("--wide", type=int, default=1000, help="schools in the 500-value scenario")
    ap.add_argument("--excel", type=int, default=50, help="schools through the Excel path")
    ap.add_argument(
        "--floor", type=int, default=20, help="seconds per database-floor run (0 = skip)"
    )
    ap.add_argument("--profile", type=int, default=60, help="schools profiled in-process")
    ap.add_argument("--deadline", type=float, default=600, help="seconds per scenario, at most")
    ap.add_argument("--reuse", action="store_true", help="reuse the last set-up (iterating)")
    ap.add_argument("--label", default="latest")
    ap.add_argument("--before", type=Path, help="results JSON of an earlier run to compare")
    ap.add_argument("--write", action="store_true", help="write docs/performance.md section")
    ap.add_argument("--render", type=Path, help="only rewrite the doc section from a results JSON")
    args = ap.parse_args()
    if args.render:
        results = json.loads(args.render.read_text())
        before = json.loads(args.before.read_text()) if args.before else None
        surge_report.write_doc(surge_report.render(results, before))
        print(f"wrote the bench:surge section of {surge_report.DOC.relative_to(ROOT)}")
        return
    if args.quick:
        args.schools = min(args.schools, 300)
        args.baseline, args.wide, args.profile, args.excel = 40, 100, 20, 10
    warm = 2 * args.workers
    n = args.schools
    if args.baseline + args.profile + args.excel + warm > n or args.wide > n:
        raise SystemExit("--schools too small for the baseline, profile and warm-up samples")

    # production settings, but plain HTTP on 127.0.0.1: no redirect to https
    os.environ.update(
        TONGKET_DEBUG="false", TONGKET_SECRET_KEY=SECRET, TONGKET_SSL_REDIRECT="false"
    )
    loadavg = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"set-up ({'reuse' if args.reuse else f'fresh database, {n} schools'}) ...")
    setup = surge_setup.reuse() if args.reuse else surge_setup.build(n)
    schools = setup.schools[:n]
    for k, v in setup.timings.items():
        print(f"  {k}: {v:.1f} s")

    from django.db import connection

    from tongket.catalog.models import Form

    th = Form.objects.get(code="02.ĐN-TH", is_current=True)
    wide_form = Form.objects.get(code=surge_setup.WIDE_FORM)
    print("payloads ...")
    base_jobs, base_exp = build_jobs(
        schools[: args.baseline + args.profile] + schools[-warm:], "02.ĐN-TH", 10_000
    )
    main_jobs, main_exp = build_jobs(schools[: args.surge or n], "02.ĐN-TH", 20_000)
    report_jobs, report_exp = build_jobs(schools[: args.surge or n], "02.ĐN-TH", 50_000)
    wide_jobs, wide_exp = build_jobs(schools[: args.wide], surge_setup.WIDE_FORM, 30_000)
    warned = sum(1 for j in main_jobs if j.explanations) / len(main_jobs) * 100

    print(f"profile: {args.profile} schools in-process (cProfile, SQL counted) ...")
    prof = profile_in_process(
        setup.rounds["base"], base_jobs[args.baseline : args.baseline + args.profile]
    )
    print(
        f"  PUT {prof['ms_per_request']['put']:.1f} ms, {prof['queries_per_request']['put']:.1f} queries;"
        f" submit {prof['ms_per_request']['submit']:.1f} ms, {prof['queries_per_request']['submit']:.1f} queries;"
        f" report {prof['ms_per_request']['report']:.1f} ms, {prof['queries_per_request']['report']:.1f} queries"
    )
    for name, ms, calls in prof["hot"][:12]:
        print(f"    {ms:8.2f} ms/school  {calls:6.1f} calls  {name}")
    connection.close()  # the server's workers get the database to themselves

    proc, base = start_gunicorn(args.workers, args.worker_class, args.threads)
    print(f"gunicorn {args.workers} x {args.worker_class} at {base}")
    scenarios = []
    try:
        meter = surge_cpu.CpuMeter(proc.pid)
        surge_load.get_ok(base, "/api/collection/rounds", schools[0].token, 4 * args.workers)
        surge_load.run(base, setup.rounds["base"], base_jobs[-warm:], args.workers, args.deadline)
        print("baseline (one connection, sequential) ...")
        scenarios.append(
            scenario(
                "baseline",
                base,
                setup.rounds["base"],
                base_jobs[: args.baseline],
                1,
                args.deadline,
                meter,
                len(th.cells),
            )
        )
        print(f"surge, two requests ({len(main_jobs)} schools, {args.concurrency} connections) ...")
        scenarios.append(
            scenario(
                "surge",
                base,
                setup.rounds["main"],
                main_jobs,
                args.concurrency,
                args.deadline,
                meter,
                len(th.cells),
            )
        )
        print(
            f"surge, one request ({len(report_jobs)} schools, {args.concurrency} connections) ..."
        )
        scenarios.append(
            scenario(
                "surge-report",
                base,
                setup.rounds["report"],
                report_jobs,
                args.concurrency,
                args.deadline,
                meter,
                len(th.cells),
                mode="report",
            )
        )
        if args.wide:
            print(f"wide, one request ({args.wide} schools x {len(wide_form.cells)} values) ...")
            scenarios.append(
                scenario(
                    "wide",
                    base,
                    setup.rounds["wide"],
                    wide_jobs,
                    args.concurrency,
                    args.deadline,
                    meter,
                    len(wide_form.cells),
                    mode="report",
                )
            )
    finally:
        stop(proc)

    excel = None
    endpoint = excel_upload_endpoint()
    if endpoint and args.excel:
        first = args.baseline + args.profile
        xs = schools[first : first + args.excel]
        x_jobs, x_exp = build_jobs(xs, "02.ĐN-TH", 40_000)
        print(f"excel ({len(xs)} schools in-process: download, fill, upload, confirm, submit) ...")
        try:
            excel = excel_in_process(setup.rounds["base"], xs, x_jobs)
            lat = excel["latency_ms"]
            print(
                f"  {excel['submissions_per_s']:.2f} schools/s; p50 ms: "
                + ", ".join(f"{k} {v['p50']:.0f}" for k, v in lat.items())
            )
        except Exception as exc:  # the Excel path is being built by another change
            excel = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            print("  Excel path failed:", excel["error"])
    floor = []
    if args.floor:
        import surge_floor

        print("database floor (pgbench, no application code) ...")
        for shape, n_values in (
            ("rows", len(th.cells)),
            ("rows", len(wide_form.cells)),
            ("nofk", len(wide_form.cells)),
            ("document", len(wide_form.cells)),
        ):
            got = surge_floor.run(connection.settings_dict, n_values, 4, args.floor, shape)
            if got is None:
                print("  pgbench not installed: skipped")
                break
            floor.append(got)
            print(
                f"  {shape}, {n_values} values: {got.get('submissions_per_s', 0):.0f}/s, "
                f"PostgreSQL {got.get('postgres_cpu_ms', 0):.1f} ms CPU per submission "
                f"{got.get('error', '')}"
            )
    print("checking the database ...")
    checks = {
        "baseline (+ profile, warm-up)": verify(setup.rounds["base"], base_exp),
        "surge": verify(setup.rounds["main"], main_exp),
        "surge, one request": verify(setup.rounds["report"], report_exp),
    }
    if args.wide:
        checks["wide"] = verify(setup.rounds["wide"], wide_exp)
    if excel and "error" not in excel:
        checks["excel (in-process)"] = verify(setup.rounds["base"], x_exp)
    for name, v in checks.items():
        print(f"  {name}: {'OK' if v['ok'] else 'MISMATCH'} {json.dumps(v, ensure_ascii=False)}")

    if excel and "error" not in excel:
        lat = excel["latency_ms"]
        excel_note = (
            f"Excel path ({excel['schools']} schools, in-process through the web views, one "
            f"after another, not over gunicorn: with DEBUG off the session cookie is Secure and "
            f"the bench speaks plain HTTP): {excel['submissions_per_s']:.2f} schools/s; p50 / p95 "
            "ms: "
            + "; ".join(f"{k} {v['p50']:.0f} / {v['p95']:.0f}" for k, v in lat.items())
            + " (fill = openpyxl on the client side)."
        )
    elif excel:
        excel_note = f"Excel path: attempted, failed ({excel['error']})."
    elif endpoint:
        excel_note = "Excel path: not run (--excel 0)."
    excel_note = (
        excel_note
        if endpoint
        else "Excel upload: not measured. `collection/excel` reads and checks a workbook "
        "(`read_upload`), but no web or API route accepts an upload yet, so there is nothing to "
        "load over HTTP."
    )
    print(excel_note)

    import gunicorn

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0].split()[0]
        cur.execute("SHOW synchronous_commit")
        sync_commit = cur.fetchone()[0]
    cpu_model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.machine(),
    )
    results = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "command": "bench/bench_surge.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores ({cpu_model}), "
        f"Python {platform.python_version()}",
        "pg_version": pg_version,
        "pg_sync_commit": sync_commit,
        "gunicorn_version": gunicorn.__version__,
        "loadgen": "surge_load.py: HTTP/1.1 on asyncio streams",
        "loadavg_before": loadavg,
        "config": {
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "concurrency": args.concurrency,
            "schools": n,
        },
        "th_cells": len(th.cells),
        "th_input_cells": len(th.input_cells()),
        "warned_share": warned,
        "setup_timings": setup.timings,
        "profile": prof,
        "scenarios": scenarios,
        "verify": checks,
        "floor": floor,
        "excel_note": excel_note,
        "excel": excel,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"results-{args.label}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"results: {out.relative_to(ROOT)}")
    if args.write:
        before = json.loads(args.before.read_text()) if args.before else None
        surge_report.write_doc(surge_report.render(results, before))
        print(f"wrote the bench:surge section of {surge_report.DOC.relative_to(ROOT)}")
    if not all(v["ok"] for v in checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
