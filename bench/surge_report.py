"""The surge benchmark's section of docs/performance.md, rendered from its results."""

from __future__ import annotations

import contextlib

import perfdoc

DOC = perfdoc.DOC
START, END = "<!-- bench:surge -->", "<!-- /bench:surge -->"


def _lat(s: dict, kind: str) -> str:
    x = s["latency_ms"][kind]
    return f"{x['p50']:.0f} / {x['p95']:.0f} / {x['p99']:.0f}"


def render(r: dict, before: dict | None) -> str:
    sc = {s["scenario"]: s for s in r["scenarios"]}
    surge, base, wide = sc["surge"], sc["baseline"], sc.get("wide")
    cfg = r["config"]
    lines = [
        "## Start-of-year surge: schools submitting through the API (`bench/bench_surge.py`)",
        "",
        f"Run {r['when']} (UTC+7), `{r['command']}`. Machine: {r['machine']}. PostgreSQL {r['pg_version']} "
        f"on 127.0.0.1 (shared with other jobs; synchronous_commit {r['pg_sync_commit']}). "
        f"gunicorn {r['gunicorn_version']}, {cfg['workers']} {cfg['worker_class']} workers, "
        f"TONGKET_DEBUG=false, CONN_MAX_AGE=60; load generator httpx {r['httpx_version']} (asyncio) "
        f"in the bench process, {cfg['concurrency']} connections, closed loop. Load average "
        f"before the run: {r['loadavg_before']}.",
        "",
        f"Workload: {surge['schools']:,} primary schools of one province each PUT the 02.ĐN-TH "
        f"form's {r['th_input_cells']} input cells (the system adds the {r['th_cells'] - r['th_input_cells']} "
        f"totals, {r['th_cells']} values stored and audited per school) and then POST submit; "
        f"{r['warned_share']:.0f} % of the schools explain a class-size warning on submit.",
        "",
        "| scenario | schools | submissions/s | values/s | PUT p50 / p95 / p99 ms | submit p50 / p95 / p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for s in (base, surge, wide):
        if s is None:
            continue
        label = {
            "baseline": "baseline: one connection, sequential",
            "surge": f"surge: {s['concurrency']} connections",
            "wide": f"wide form ({s['values_per_school']} values/school), {s['concurrency']} connections",
        }[s["scenario"]]
        lines.append(
            f"| {label} | {s['submitted']:,} | {s['submissions_per_s']:.1f} | "
            f"{s['values_per_s']:,.0f} | {_lat(s, 'put')} | {_lat(s, 'submit')} |"
        )
    ratio = surge["submissions_per_s"] / base["submissions_per_s"]
    goal_ok = (
        surge["submissions_per_s"] >= 100
        and max(surge["latency_ms"]["put"]["p99"], surge["latency_ms"]["submit"]["p99"]) < 1000
    )
    p99 = max(surge["latency_ms"]["put"]["p99"], surge["latency_ms"]["submit"]["p99"])
    lines += [
        "",
        f"Surge vs the sequential baseline: {ratio:.1f}× the throughput. Goal ≥ 100 submissions/s "
        f"with p99 < 1 s: "
        + (
            "met."
            if goal_ok
            else f"**not met**: {surge['submissions_per_s']:.1f}/s is {100 * surge['submissions_per_s'] / 100:.0f} % "
            f"of the goal ({100 / surge['submissions_per_s']:.1f}× short), worst p99 {p99:.0f} ms."
        ),
        "",
        "Where the CPU goes (per submission = one PUT + one submit; measured from /proc over the "
        "surge):",
        "",
        "| | gunicorn workers | PostgreSQL | load generator | other jobs on the machine | whole machine busy |",
        "|---|---|---|---|---|---|",
    ]
    for s in (surge, wide):
        if s is None:
            continue
        c = s["cpu_ms_per_submission"]
        lines.append(
            f"| {s['scenario']} | {c['gunicorn']:.1f} ms | {c['postgres']:.1f} ms | "
            f"{c['loadgen']:.1f} ms | {c['others']:.1f} ms | {c['machine_busy']:.1f} ms ({s['machine_busy_pct']:.0f} % of 2 cores) |"
        )
    prof = r["profile"]
    lines += [
        "",
        f"Hot path (cProfile over {prof['schools']} schools through the Django test client "
        f"in-process): PUT {prof['ms_per_request']['put']:.1f} ms and "
        f"{prof['queries_per_request']['put']:.0f} SQL queries, submit "
        f"{prof['ms_per_request']['submit']:.1f} ms and {prof['queries_per_request']['submit']:.0f} "
        "queries (profiler overhead included).",
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
            f"Before / after the optimisations of `collection/actions.py` (before: run "
            f"{before['when']}, same machine, settings and 3,000-school province; it sent "
            f"{bs['baseline']['schools']} / {bs['surge']['schools']} / "
            f"{bs.get('wide', {}).get('schools', 0)} schools in the baseline / surge / wide "
            "scenarios, because the old code needed ~3 minutes per 600 schools; its per-request "
            "cost grew with the schools in the province, not with those sent):",
            "",
            "| measure | before | after |",
            "|---|---|---|",
        ]
        for name in ("baseline", "surge", "wide"):
            if name in bs and name in sc:
                b, a = bs[name], sc[name]
                lines.append(
                    f"| {name}: submissions/s | {b['submissions_per_s']:.1f} | {a['submissions_per_s']:.1f} |"
                )
                lines.append(
                    f"| {name}: PUT p50 / p95 / p99 ms | {_lat(b, 'put')} | {_lat(a, 'put')} |"
                )
                lines.append(
                    f"| {name}: submit p50 / p95 / p99 ms | {_lat(b, 'submit')} | {_lat(a, 'submit')} |"
                )
                lines.append(
                    f"| {name}: server CPU per submission (gunicorn + PostgreSQL) | "
                    f"{b['cpu_ms_per_submission']['gunicorn'] + b['cpu_ms_per_submission']['postgres']:.1f} ms | "
                    f"{a['cpu_ms_per_submission']['gunicorn'] + a['cpu_ms_per_submission']['postgres']:.1f} ms |"
                )
        bp = before["profile"]
        lines.append(
            f"| SQL queries per PUT / submit | {bp['queries_per_request']['put']:.0f} / "
            f"{bp['queries_per_request']['submit']:.0f} | {prof['queries_per_request']['put']:.0f} / "
            f"{prof['queries_per_request']['submit']:.0f} |"
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
