"""Bench: the soak. An hour of mixed, realistic traffic at a low, steady rate against gunicorn
on PostgreSQL (127.0.0.1 only), run with the production settings: errors (goal 0), latency
percentiles and the memory (RSS) of the workers over time.

    .venv/bin/python bench/bench_soak.py [--minutes 60] [--quick] [--rate 6] [--write]

Set-up (not timed): a fresh database `tongket_soak`, migrations, the real tree, the catalog
pack, the demo province (`tongket demo --province 11`) and its targets, one API token per
school of the open 2026-2027 start-of-year rounds. The server runs from a snapshot of src/
(var/soak/src) so that editing the code during an hour-long run cannot change what is measured.

Traffic, a weighted random mix at `--rate` requests per second (a schedule, not a flood):
  login      a demo account signs in with its password (form + CSRF, the password hash)
  page       a signed-in user of each role (school, commune, province, leader, administrator)
             views one of the pages their menu offers (home, collection, round, entry form,
             units, dashboard, quality, targets, norms, reports, fact-check)
  api        a school's system reads its submission, saves it (PUT values) and submits it
             (POST submit, warnings explained); the provincial officer re-opens it through the
             web review form so the cycle can repeat
A response is an error when it is a 5xx, a transport failure, or any status other than the one
that step expects. The requests go as if through an HTTPS proxy (X-Forwarded-Proto: https),
the way nginx would pass them (docs/deployment.md).

Writes var/soak/results.json; `--write` also writes the bench:soak section of
docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import perfdoc
import surge_cpu
import surge_setup

ROOT = surge_setup.ROOT
BIN = surge_setup.BIN
OUT = ROOT / "var" / "soak"
DB_NAME = "tongket_soak"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PROVINCE = "11"
PERIOD = "2026-2027"
PASSWORD = "tongket2025"  # the demo accounts' password (docs/demo.md)
ROLES = {
    "school": "truong11",
    "commune": "xa11",
    "province": "so11",
    "leader": "lanhdao11",
    "admin": "admin",
}
SECRET = surge_setup.random_key(64)
START, END = "<!-- bench:soak -->", "<!-- /bench:soak -->"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        DATABASE_URL=DB_URL,
        DJANGO_SETTINGS_MODULE="tongket.settings",
        TONGKET_DATA_DIR=str(OUT / "data"),
        TONGKET_DEBUG="true",  # the set-up commands; the server runs with debug off
    )
    return e


def server_env() -> dict[str, str]:
    e = env()
    e.update(
        PYTHONPATH=str(OUT / "src"),
        TONGKET_DEBUG="false",
        TONGKET_SECRET_KEY=SECRET,
        TONGKET_ALLOWED_HOSTS='["127.0.0.1"]',
        TONGKET_PROXY_SSL_HEADER="true",
    )
    return e


# ---- set-up ------------------------------------------------------------------------------


def build() -> dict:
    import psycopg

    with psycopg.connect(surge_setup.PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    tk = str(BIN / "tongket")
    for cmd in (
        [tk, "migrate", "--no-input", "-v0"],
        [tk, "units", "load"],
        [tk, "packs", "load"],
        [tk, "demo", "--province", PROVINCE],
        [tk, "analytics", "demo-targets", "--province", PROVINCE],
    ):
        surge_setup._run(cmd, env())
    # with the server's settings: the hashed, compressed files WhiteNoise serves outside debug
    surge_setup._run([tk, "collectstatic", "--no-input", "-v0"], server_env())
    return targets()


def targets() -> dict:
    """The ids the traffic needs, and one API token per school of the open rounds (fresh keys
    each run: a key is shown only once)."""
    os.environ.update(env())
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from tongket.collection.models import ReportingRound, Submission
    from tongket.core.models import ApiToken, Profile, Role
    from tongket.core.tokens import create_token

    User = get_user_model()
    rounds = list(
        ReportingRound.objects.filter(period=PERIOD, status=ReportingRound.Status.OPEN).order_by(
            "pk"
        )
    )
    subs = list(
        Submission.objects.filter(round__in=rounds)
        .exclude(status=Submission.Status.DRAFT)
        .select_related("unit")
        .order_by("pk")
    )
    schools, keys = [], {}
    with transaction.atomic():
        for sub in subs:
            if sub.unit_id not in keys:  # a TH+THCS school reports in two rounds: one key
                user, made = User.objects.get_or_create(username=f"soak_{sub.unit.code}")
                if made:
                    user.set_unusable_password()
                    user.save()
                    Profile.objects.create(
                        user=user, role=Role.SCHOOL, unit=sub.unit, full_name="Hệ thống trường"
                    )
                ApiToken.objects.filter(user=user).delete()
                keys[sub.unit_id] = create_token(user, "soak")
            schools.append(
                {
                    "round": sub.round_id,
                    "unit": sub.unit_id,
                    "sub": sub.pk,
                    "token": keys[sub.unit_id],
                }
            )
    prof = {r: Profile.objects.get(user__username=u) for r, u in ROLES.items()}
    school_sub = Submission.objects.filter(round__in=rounds, unit=prof["school"].unit).first()
    commune_sub = subs[0]
    r0 = rounds[0].pk
    common = ["/", "/collection/", "/units/", "/analytics/", "/reports/", "/norms/"]
    pages = {
        "school": [
            *common,
            f"/collection/rounds/{school_sub.round_id}/units/{school_sub.unit_id}/"
            if school_sub
            else "/",
            "/norms/staffing/",
        ],
        "commune": [*common, f"/collection/rounds/{r0}/", f"/units/{prof['commune'].unit_id}/"],
        "province": [
            *common,
            f"/collection/rounds/{r0}/",
            f"/collection/rounds/{commune_sub.round_id}/units/{commune_sub.unit_id}/",
            "/analytics/chat-luong/",
            "/analytics/chi-tieu/",
            "/norms/register/",
            "/norms/pcgd/",
            "/factcheck/",
            f"/units/{prof['province'].unit_id}/",
        ],
        "leader": [*common, "/analytics/chat-luong/", "/analytics/chi-tieu/", "/factcheck/"],
        "admin": [*common[:-2], "/norms/", "/admin/", f"/collection/rounds/{r0}/"],
    }
    return {"schools": schools, "pages": pages, "rounds": [r.pk for r in rounds]}


def snapshot_src() -> None:
    dest = OUT / "src"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT / "src", dest, ignore=shutil.ignore_patterns("__pycache__", "tests"))


# ---- the server --------------------------------------------------------------------------


def start_gunicorn(workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        str(BIN / "gunicorn"),
        "tongket.wsgi:application",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(threads), "--timeout", "60"),
        *("--log-level", "warning", "--error-logfile", str(OUT / "gunicorn.log")),
    ]
    log = open(OUT / "server.log", "ab")  # noqa: SIM115 (open as long as the server runs)
    proc = subprocess.Popen(cmd, env=server_env(), cwd=OUT, stderr=log, stdout=log)
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start; see var/soak/gunicorn.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not listen within 30 s")


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ---- the traffic -------------------------------------------------------------------------


class Session:
    """One browser: its own cookies (kept by hand, because the production cookies are
    Secure and the bench speaks plain HTTP behind a pretend proxy)."""

    def __init__(self, base: str):
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict | None = None) -> dict:
        origin = self.base.replace("http://", "https://")
        h = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**h, **(extra or {})}

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        r = self.http.request(method, path, headers=self._headers(kw.pop("headers", None)), **kw)
        for k, v in r.cookies.items():
            self.cookies[k] = v
        return r

    def login(self, username: str) -> int:
        self.cookies.clear()
        self.request("GET", "/login/")
        r = self.request(
            "POST",
            "/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        return r.status_code


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.count = 0

    def add(self, kind: str, ms: float, ok: bool, what: str) -> None:
        with self.lock:
            self.lat[kind].append(ms)
            self.count += 1
            if not ok:
                self.errors.append(what)


def timed(stats: Stats, kind: str, expect: tuple[int, ...], fn, what: str):
    t = time.perf_counter()
    try:
        r = fn()
    except httpx.HTTPError as exc:
        stats.add(kind, 1000 * (time.perf_counter() - t), False, f"{what}: {exc!r}")
        return None
    ok = r.status_code in expect
    detail = "" if ok or r.status_code < 400 else " " + r.text[:100].replace("\n", " ")
    stats.add(kind, 1000 * (time.perf_counter() - t), ok, f"{what}: {r.status_code}{detail}")
    return r if ok else None


class Traffic:
    def __init__(self, base: str, t: dict, stats: Stats, seed: int):
        self.base, self.t, self.stats = base, t, stats
        self.rnd = random.Random(seed)
        self.sessions: dict[str, Session] = {}
        self.officer = Session(base)
        self.api = httpx.Client(base_url=base, timeout=30, headers={"X-Forwarded-Proto": "https"})
        self.lock = threading.Lock()

    def session(self, role: str) -> Session:
        s = self.sessions.get(role)
        if s is None:
            s = self.sessions[role] = Session(self.base)
            s.login(ROLES[role])
        return s

    def do_login(self) -> None:
        role = self.rnd.choice(list(ROLES))
        s = Session(self.base)
        t0 = time.perf_counter()
        try:
            s.request("GET", "/login/")
            r = s.request(
                "POST",
                "/login/",
                data={
                    "username": ROLES[role],
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": s.cookies.get("csrftoken", ""),
                },
            )
            ok = r.status_code == 302 and "sessionid" in s.cookies
            self.stats.add("login", 1000 * (time.perf_counter() - t0), ok, f"login {role}")
        except httpx.HTTPError as exc:
            self.stats.add("login", 1000 * (time.perf_counter() - t0), False, repr(exc))
        self.sessions[role] = s  # the new session replaces the old one, as a user's would

    def do_page(self) -> None:
        role = self.rnd.choice(list(ROLES))
        path = self.rnd.choice(self.t["pages"][role])
        s = self.session(role)
        kind = "page: dashboard" if path.startswith("/analytics/") else "page"
        timed(self.stats, kind, (200,), lambda: s.request("GET", path), f"GET {path} ({role})")

    def do_api(self) -> None:
        school = self.rnd.choice(self.t["schools"])
        h = {"Authorization": f"Bearer {school['token']}"}
        url = f"/api/collection/rounds/{school['round']}/units/{school['unit']}"
        r = timed(self.stats, "api read", (200,), lambda: self.api.get(url, headers=h), "GET sub")
        if r is None:
            return
        sub = r.json()
        if sub["status"] in ("submitted", "approved"):
            # a submitted report waits for its commune; the province may re-open it directly
            action = "reopen"
            if not self.officer.cookies.get("sessionid"):
                self.officer.login(ROLES["province"])
            self.officer.request("GET", "/")  # refreshes the CSRF cookie
            data = {
                "action": action,
                "reason": "Soát lại số liệu (soak)",
                "csrfmiddlewaretoken": self.officer.cookies.get("csrftoken", ""),
            }
            path = f"/collection/submissions/{school['sub']}/review/"
            if not timed(
                self.stats,
                "form: review",
                (302,),
                lambda: self.officer.request("POST", path, data=data),
                f"POST {action}",
            ):
                return
            r = timed(self.stats, "api read", (200,), lambda: self.api.get(url, headers=h), "GET")
            if r is None:
                return
            sub = r.json()
        values = [v for v in sub["values"] if v["value"] is not None]
        body = {"version": sub["version"], "values": values, "reason": "Cập nhật (soak)"}
        r = timed(
            self.stats,
            "api save",
            (200,),
            lambda: self.api.put(url + "/values", headers=h, json=body),
            "PUT values",
        )
        if r is None:
            return
        saved = r.json()
        if self.rnd.random() < 0.5:
            return  # a draft saved, submitted later
        body = {
            "version": saved["version"],
            "explanations": dict.fromkeys(saved["warnings"], "Đã soát"),
        }
        timed(
            self.stats,
            "api submit",
            (200,),
            lambda: self.api.post(url + "/submit", headers=h, json=body),
            "POST submit",
        )

    def step(self) -> None:
        x = self.rnd.random()
        if x < 0.04:
            self.do_login()
        elif x < 0.75:
            self.do_page()
        else:
            with self.lock:  # one school cycle at a time: no self-inflicted version conflicts
                self.do_api()


def run(base: str, t: dict, seconds: float, rate: float, server_pid: int) -> dict:
    stats = Stats()
    traffic = Traffic(base, t, stats, seed=2026)
    mem: list[tuple[float, float, list[float]]] = []
    start = time.monotonic()
    stop_at = start + seconds
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            pids = surge_cpu._children(server_pid)
            mem.append(
                (time.monotonic() - start, rss_mb(server_pid), sorted(rss_mb(p) for p in pids))
            )
            stop.wait(30)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # warm-up: each role signs in once (not counted)
    for role in ROLES:
        traffic.session(role)
    stats.lat.clear()
    n, last = 0, start
    interval = 1.0 / rate
    while time.monotonic() < stop_at:
        before = stats.count
        traffic.step()
        n += 1
        done = stats.count - before
        # steps issue 1-5 requests: wait so that the request rate stays at `rate`
        wait = last + done * interval - time.monotonic()
        last = max(last + done * interval, time.monotonic() - 5)
        if wait > 0:
            time.sleep(wait)
        if n % 500 == 0:
            el = time.monotonic() - start
            print(f"  {el / 60:5.1f} min  {stats.count} requests  {len(stats.errors)} errors")
    stop.set()
    sampler.join(5)
    wall = time.monotonic() - start
    return {"wall_s": wall, "stats": stats, "mem": mem}


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))] if s else float("nan")


def summarise(res: dict, args) -> dict:
    stats: Stats = res["stats"]
    kinds = {}
    for k, xs in sorted(stats.lat.items()):
        kinds[k] = {
            "n": len(xs),
            "p50": pct(xs, 50),
            "p95": pct(xs, 95),
            "p99": pct(xs, 99),
            "max": max(xs),
        }
    every = [x for xs in stats.lat.values() for x in xs]
    mem = res["mem"]
    first, last = mem[0], mem[-1]
    # the first sample comes before the workers have served anything; growth counts from the
    # sample after the warm-up minute
    settled = next((m for m in mem if m[0] >= 60), first)
    return {
        "minutes": args.minutes,
        "rate": args.rate,
        "workers": args.workers,
        "threads": args.threads,
        "wall_s": res["wall_s"],
        "requests": len(every),
        "req_per_s": len(every) / res["wall_s"],
        "errors": len(stats.errors),
        "error_samples": sorted(set(stats.errors))[:20],
        "all": {"p50": pct(every, 50), "p95": pct(every, 95), "p99": pct(every, 99)},
        "kinds": kinds,
        "rss_start": settled[2],
        "rss_end": last[2],
        "rss_master": last[1],
        "rss_series": [(round(t), [round(x, 1) for x in ws]) for t, _, ws in mem],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "loadavg": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def doc_block(s: dict) -> str:
    def ms(x: float) -> str:
        return f"{x:,.0f}".replace(",", ".")

    lines = [
        START,
        "## Soak: an hour of mixed traffic (bench/bench_soak.py)",
        "",
        f"gunicorn ({s['workers']} gthread workers × {s['threads']} threads, production "
        f"settings: debug off, HTTPS behind a pretend proxy) on PostgreSQL, the demo province 11, "
        f"{s['wall_s'] / 60:.0f} minutes at about {s['rate']:g} requests/s "
        f"(measured {s['req_per_s']:.1f}/s: one sequential client, so the rate drops when "
        f"responses slow down), {s['machine']} shared with other work"
        + (f" (load average {s['loadavg']} at the end)." if "loadavg" in s else "."),
        "Mix: sign-ins (password hash), page views of every role, API read → save → submit of a "
        "school's start-of-year form and the province re-opening it through the review form.",
        "",
        f"**Requests: {s['requests']:,}; errors: {s['errors']}**".replace(",", ".")
        + " (5xx, transport failures or any status other than the expected one).",
        "",
        "| kind | requests | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for k, v in s["kinds"].items():
        lines.append(
            f"| {k} | {v['n']} | {ms(v['p50'])} | {ms(v['p95'])} | {ms(v['p99'])} | {ms(v['max'])} |"
        )
    a = s["all"]
    lines.append(
        f"| **all** | {s['requests']} | {ms(a['p50'])} | {ms(a['p95'])} | {ms(a['p99'])} | |"
    )
    lines += ["", "Worker memory (RSS, MB) over the run, one column per worker:", ""]
    series = s["rss_series"]
    step = max(1, len(series) // 12)
    picked = series[1::step] + ([series[-1]] if series[-1] not in series[1::step] else [])
    lines += ["| minute | " + " | ".join(f"w{i + 1}" for i in range(s["workers"])) + " |"]
    lines += ["|---:|" + "---:|" * s["workers"]]
    for t, ws in picked:
        lines.append(f"| {t / 60:.0f} | " + " | ".join(f"{x:.0f}" for x in ws) + " |")
    growth = [e - b for b, e in zip(s["rss_start"], s["rss_end"], strict=False)]
    lines += [
        "",
        "Growth per worker from minute 1 to the end: "
        + ", ".join(f"{g:+.1f} MB" for g in growth)
        + ".",
    ]
    if s["error_samples"]:
        lines += ["", "Errors seen: " + "; ".join(s["error_samples"])]
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--quick", action="store_true", help="2 minutes")
    ap.add_argument("--rate", type=float, default=6, help="requests per second (default 6)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    ap.add_argument("--write", action="store_true", help="write docs/performance.md")
    ap.add_argument(
        "--from-results",
        action="store_true",
        help="only rewrite the docs/performance.md section from var/soak/results.json",
    )
    args = ap.parse_args()
    if args.from_results:
        perfdoc.write_section(doc_block(json.loads((OUT / "results.json").read_text())), START, END)
        return
    if args.quick:
        args.minutes = 2
    OUT.mkdir(parents=True, exist_ok=True)
    print("set-up …")
    snapshot_src()  # first: collectstatic (in build) runs the snapshot's settings
    (OUT / "server.log").unlink(missing_ok=True)
    t = targets() if args.reuse else build()
    proc, base = start_gunicorn(args.workers, args.threads)
    print(f"gunicorn {base} (pid {proc.pid}); {args.minutes:g} min at {args.rate:g} req/s")
    try:
        res = run(base, t, args.minutes * 60, args.rate, proc.pid)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    s = summarise(res, args)
    (OUT / "results.json").write_text(json.dumps(s, indent=1, ensure_ascii=False))
    print(doc_block(s))
    if args.write:
        perfdoc.write_section(doc_block(s), START, END)
    if s["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
