"""The surge benchmark's section of docs/performance.md, rendered from its results."""

from __future__ import annotations

import contextlib

import perfdoc

DOC = perfdoc.DOC
START, END = "<!-- bench:surge -->", "<!-- /bench:surge -->"


def _lat(s: dict, kind: str) -> str:
    x = s["latency_ms"][kind]
    return f"{x['p50']:.0f} / {x['p95']:.0f} / {x['p99']:.0f}"


def _lats(s: dict) -> str:
    """Request latencies of a scenario: PUT and submit for the two-request path, else one."""
    if s["latency_ms"].get("report", {}).get("n"):
        return f"one request: {_lat(s, 'report')}"
    return f"PUT {_lat(s, 'put')}; submit {_lat(s, 'submit')}"


def worst_p99(s: dict) -> float:
    return max(x["p99"] for x in s["latency_ms"].values() if x.get("n"))


LABELS = {
    "baseline": "baseline: two requests, one connection, sequential",
    "surge": "surge: two requests (PUT values, POST submit)",
    "surge-report": "surge: one request (POST …/report)",
    "wide": "wide form, one request",
}


def render(r: dict, before: dict | None) -> str:
    sc = {s["scenario"]: s for s in r["scenarios"]}
    base, best = sc["baseline"], sc.get("surge-report", sc["surge"])
    cfg = r["config"]
    lines = [
        "## Start-of-year surge: schools submitting through the API (`bench/bench_surge.py`)",
        "",
        f"Run {r['when']} (UTC+7), `{r['command']}`. Machine: {r['machine']}. PostgreSQL {r['pg_version']} "
        f"on 127.0.0.1 (shared with other jobs; synchronous_commit {r['pg_sync_commit']}). "
        f"gunicorn {r['gunicorn_version']}, {cfg['workers']} {cfg['worker_class']} workers, "
        f"TONGKET_DEBUG=false, CONN_MAX_AGE=60; load generator {r.get('loadgen', 'httpx')} in "
        f"the bench process, {cfg['concurrency']} connections, closed loop. Load average before "
        f"the run: {r['loadavg_before']}.",
        "",
        f"Workload: primary schools of one province send the 02.ĐN-TH form's "
        f"{r['th_input_cells']} input cells (the system adds the "
        f"{r['th_cells'] - r['th_input_cells']} totals: {r['th_cells']} values stored and audited "
        f"per school), {r['warned_share']:.0f} % of them with a class-size warning to explain. "
        "Two ways, both in the API: two requests (PUT the values, then POST submit with the "
        "version the PUT returned: the web form's way) or one (POST `…/report` with the values "
        "and the explanations, saved and submitted in one transaction: a school system's way). "
        "The wide scenario sends a bench-only form of 500 values (the size of a full "
        "start-of-year form) in one request. Each scenario has its own round, so every school "
        "submits once in each.",
        "",
        "| scenario | schools | submissions/s | values/s | latency p50 / p95 / p99 ms |",
        "|---|---|---|---|---|",
    ]
    for name in ("baseline", "surge", "surge-report", "wide"):
        s = sc.get(name)
        if s is None:
            continue
        label = LABELS[name]
        if name == "wide":
            label = f"wide form ({s['values_per_school']} values/school), one request"
        if name != "baseline":
            label += f", {s['concurrency']} connections"
        lines.append(
            f"| {label} | {s['submitted']:,} | {s['submissions_per_s']:.1f} | "
            f"{s['values_per_s']:,.0f} | {_lats(s)} |"
        )
    lines += [
        "",
        f"Against the sequential baseline: the two-request surge gives "
        f"{sc['surge']['submissions_per_s'] / base['submissions_per_s']:.1f}× its throughput, the "
        f"one-request surge {best['submissions_per_s'] / base['submissions_per_s']:.1f}×.",
        "",
    ]
    for s in (best, sc.get("wide")):
        if s is None:
            continue
        ok = s["submissions_per_s"] >= 100 and worst_p99(s) < 1000
        form = "the 02.ĐN-TH form" if s["scenario"] != "wide" else "the wide form"
        lines.append(
            f"Goal ≥ 100 submissions/s with p99 < 1 s, {form} ({s['values_per_school']} values, "
            "one request): "
            + (
                "**met**."
                if ok
                else f"**not met**: {s['submissions_per_s']:.1f}/s is "
                f"{s['submissions_per_s']:.0f} % of the goal "
                f"({100 / s['submissions_per_s']:.1f}× short), p99 {worst_p99(s):.0f} ms."
            )
        )
        lines.append("")
    lines += [
        "Where the CPU goes, per submission (measured from /proc over each scenario):",
        "",
        "| scenario | gunicorn workers | PostgreSQL | load generator | other jobs on the machine | whole machine busy |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("surge", "surge-report", "wide"):
        s = sc.get(name)
        if s is None:
            continue
        c = s["cpu_ms_per_submission"]
        lines.append(
            f"| {name} | {c['gunicorn']:.1f} ms | {c['postgres']:.1f} ms | "
            f"{c['loadgen']:.1f} ms | {c['others']:.1f} ms | {c['machine_busy']:.1f} ms ({s['machine_busy_pct']:.0f} % of 2 cores) |"
        )
    floor = [f for f in r.get("floor", []) if "error" not in f]
    if floor:
        lines += [
            "",
            "What PostgreSQL alone can store on this machine (`bench/surge_floor.py`: pgbench, "
            f"{floor[0]['clients']} connections, {floor[0]['seconds']} s each, replaying one "
            "submission's writes in a committed transaction with no application code at all):",
            "",
            "| storage | values per submission | submissions/s | PostgreSQL CPU per submission | machine busy |",
            "|---|---|---|---|---|",
        ]
        for f in floor:
            shape = {
                "rows": "Tongket's schema: a row per value, an audit row per change",
                "nofk": "the same tables without their foreign keys (comparison)",
                "document": "one JSON document per submission, one audit row with the diff (comparison)",
            }[f["shape"]]
            lines.append(
                f"| {shape} | {f['values']} | {f['submissions_per_s']:.0f} | "
                f"{f['postgres_cpu_ms']:.1f} ms | {f['machine_busy_pct']:.0f} % |"
            )
    prof = r["profile"]
    ms, q = prof["ms_per_request"], prof["queries_per_request"]
    lines += [
        "",
        f"Hot path (cProfile over {prof['schools']} schools through the Django test client "
        f"in-process, half of them each way; profiler overhead included): PUT {ms['put']:.1f} ms "
        f"and {q['put']:.0f} SQL statements, submit {ms['submit']:.1f} ms and {q['submit']:.0f}; "
        f"one-request report {ms.get('report', float('nan')):.1f} ms and "
        f"{q.get('report', float('nan')):.0f}.",
        "",
        "Database check after the run (expected = what was sent plus the computed totals):",
        "",
        "| scenario | submissions (all submitted) | values expected / in DB | lost / extra / duplicated / wrong | audit rows (= values written) | submit events | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, v in r["verify"].items():
        lines.append(
            f"| {name} | {v['submissions']:,} of {v['units_sent']:,} ({v['status'].get('submitted', 0):,}) | "
            f"{v['values_expected']:,} / {v['values_in_db']:,} | {v['lost_values']} / "
            f"{v['extra_values']} / {v['duplicate_keys']} / {v['value_mismatches']} | "
            f"{v['audit_rows']:,} | {v['submitted_events']:,} | {'yes' if v['ok'] else '**NO**'} |"
        )
    if before is not None:
        bs = {s["scenario"]: s for s in before["scenarios"]}
        lines += [
            "",
            f"Before / after (before: run {before['when']} on the previous commit, same machine "
            f"and settings, httpx as load generator, {bs['surge']['schools']:,} schools in its "
            "surge, every scenario through two requests; after: the wide form through one):",
            "",
            "| scenario | before: submissions/s, server CPU per submission | after |",
            "|---|---|---|",
        ]
        for name in ("baseline", "surge", "surge-report", "wide"):
            if name in bs and name in sc:
                b, a = bs[name], sc[name]
                cb, ca = b["cpu_ms_per_submission"], a["cpu_ms_per_submission"]
                lines.append(
                    f"| {name} | {b['submissions_per_s']:.1f}/s, "
                    f"{cb['gunicorn'] + cb['postgres']:.1f} ms | {a['submissions_per_s']:.1f}/s, "
                    f"{ca['gunicorn'] + ca['postgres']:.1f} ms |"
                )
    lines += ["", "Set-up (not in the figures):", ""]
    lines += [f"- {k}: {v:.1f} s" for k, v in r["setup_timings"].items()]
    lines += ["", r.get("excel_note", "")]
    with contextlib.suppress(ImportError):
        import surge_notes  # the analysis, written against these figures

        lines += ["", surge_notes.text(r, before)]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(text: str) -> None:
    perfdoc.write_section(f"{START}\n{text}{END}", START, END)
