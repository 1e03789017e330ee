"""The analysis part of the bench:surge section, written against the figures of a run
(bench_surge.render appends `text(results, before)`)."""

from __future__ import annotations

KEY_FUNCS = [
    ("collection.api.submit_report", "one-request handler (everything below)"),
    ("api.authenticate", "token auth (one SELECT with user and profile)"),
    ("collection.actions.access_round_by_id", "round + form, is the user's unit in it (closure)"),
    ("collection.actions._check_unit_in_round", "scope + must the unit report (one closure row)"),
    ("collection.actions._locked", "share-lock round and form, lock the submission row"),
    ("collection.actions._write_values", "parse cells, read stored values, write values + audit"),
    ("collection.actions._insert_rows", "the two INSERTs (rows as one JSON array)"),
    ("collection.actions._submit_locked", "validate, status, version, event"),
    ("quality.rules.evaluate", "rule evaluation (quality.rules)"),
    ("collection.api.put_values", "PUT handler (two-request path)"),
    ("collection.api.submit", "submit handler (two-request path)"),
    ("collection.api._sub_out", "their response: every value + a validation"),
]


def _ceiling(s: dict) -> float:
    c = s["cpu_ms_per_submission"]
    ours = c["gunicorn"] + c["postgres"] + c["loadgen"]
    return 2000.0 / ours if ours else float("nan")


def _floor_text(r: dict) -> list[str]:
    floor = {(f["shape"], f["values"]): f for f in r.get("floor", []) if "error" not in f}
    wide = max((v for s, v in floor if s == "rows"), default=None)
    small = min((v for s, v in floor if s == "rows"), default=None)
    if wide is None or small is None or ("document", wide) not in floor:
        return []
    rw, rs, doc = floor[("rows", wide)], floor[("rows", small)], floor[("document", wide)]
    nofk = floor.get(("nofk", wide))
    nofk_text = (
        f"dropping every foreign key brings it to {nofk['submissions_per_s']:.0f}/s "
        f"({nofk['postgres_cpu_ms']:.0f} ms), "
        if nofk
        else ""
    )
    return [
        "",
        "**The goal at ~500 values is out of reach of this storage on this machine.** PostgreSQL "
        f"alone, with no application code, stores {rw['submissions_per_s']:.0f} submissions/s of "
        f"{wide} values in Tongket's schema ({rw['postgres_cpu_ms']:.0f} ms of its CPU each: "
        f"{2 * wide} rows with their index entries and foreign-key checks, and the WAL), "
        f"below 100/s before a single line of Python runs; {nofk_text}still with nothing left "
        "for the server. The same writes as one document per submission run at "
        f"{doc['submissions_per_s']:.0f}/s ({doc['postgres_cpu_ms']:.1f} ms). At the 02.ĐN-TH "
        f"form's {small} values the database's ceiling is {rs['submissions_per_s']:.0f}/s "
        f"({rs['postgres_cpu_ms']:.1f} ms), so there the limit is the application's own CPU. "
        "Meeting 100/s at 500 values on two cores therefore needs a storage decision, not "
        "tuning: the design's data model is DHIS2's row per value (docs/architecture.md), which "
        "the analytics, the audit per cell and the reports read; the alternatives are a "
        "document per submission with the rows derived from it, or a write-behind that accepts "
        "the document at once and expands it into rows after the answer (the figures would "
        "then lag the surge by the expansion's backlog).",
    ]


def text(r: dict, before: dict | None) -> str:
    sc = {s["scenario"]: s for s in r["scenarios"]}
    best = sc.get("surge-report", sc["surge"])
    c = best["cpu_ms_per_submission"]
    ours = c["gunicorn"] + c["postgres"] + c["loadgen"]
    hot = {name: (ms, calls) for name, ms, calls in r["profile"]["hot"]}
    rows = [
        f"| {label} | {hot[name][0] / hot[name][1]:.1f} ms | `{name}` |"
        for name, label in KEY_FUNCS
        if name in hot and hot[name][1]
    ]
    ceilings = ", ".join(
        f"{name} {_ceiling(s):.0f}/s" for name, s in sc.items() if name != "baseline"
    )
    out = [
        "### What limits throughput",
        "",
        f"CPU. In every concurrent scenario the machine was ~100 % busy. One submission of the "
        f"one-request surge cost {c['gunicorn']:.1f} ms of gunicorn CPU, {c['postgres']:.1f} ms "
        f"of PostgreSQL and {c['loadgen']:.1f} ms of load generator, {ours:.1f} ms in all "
        f"(other jobs on this shared machine took {c['others']:.1f} ms more per submission "
        "while it ran). With both cores to ourselves the ceilings, 2 cores / (server + "
        f"database + client CPU per submission), are: {ceilings}. 100/s needs ≤ 20 ms of CPU "
        f"per submission for all three together: {ours / 20:.1f}× less than the one-request "
        "path now. Latency in a closed loop is queueing: "
        f"{best['concurrency']} clients share {r['config']['workers']} workers, so p50 ≈ "
        "concurrency / throughput; p99 < 1 s comes with the throughput, not before.",
        *_floor_text(r),
        "",
        "Where the time of one request goes (cProfile in-process, ms per call, inflated by the "
        "profiler about 2×; cumulative, so rows nest):",
        "",
        "| step | ms per call | function |",
        "|---|---|---|",
        *rows,
        "",
        "What is left is spread thin: ~15 SQL statements per one-request submission at 0.3–0.5 "
        "ms of Python each (ORM compile, psycopg, the round trip), the rule evaluation, and "
        "Django + django-ninja around them. On the PostgreSQL side every saved value costs its "
        "row, its index entries and three foreign-key checks (value: element, unit, "
        "submission; audit row: submission, unit, user), fired at commit; the database-floor "
        "table above shows what the checks cost.",
        "",
        "### What changed in this round",
        "",
        "- **One request per submission** (`POST /api/collection/rounds/{r}/units/{u}/report`, "
        "`actions.do_save_and_submit`): values, explanations and an optional version in one "
        "transaction, one lock, one read of the stored values, one validation, one version "
        "bump, a short answer (status, version, counts) instead of every value and a "
        "validation. Refused as a whole (422 with every violation, 409 on a stale version or a "
        "locked report, 403 out of scope), leaving nothing behind, not even an empty draft: "
        "the submission row is created inside the transaction (`INSERT … ON CONFLICT DO "
        "NOTHING`), where `get_or_create` used to commit it in a transaction of its own (one "
        "more WAL flush per school). Its body is plain pydantic, validated in pydantic's core "
        "without ninja's per-object hook.",
        "- Value and audit rows travel to PostgreSQL as one JSON array of arrays "
        "(`json.dumps`, in C) unpacked by `json_array_elements` and cast column by column; "
        "the array-per-column `unnest` made psycopg quote every element into the statement "
        "in Python, the largest single cost of a save.",
        "- `_locked` no longer re-reads the round, the form (its layout and cells are large "
        "JSON) and the root under the lock: it share-locks the round and form rows and reads "
        "the round's mutable fields (status, due date, approval levels) in that statement, "
        "then locks the submission row alone.",
        "- Token auth reads the user and the profile in the token's query (one statement "
        "instead of two); `unit_expected` decides on the one closure row (root, unit), a flat "
        "join that is cheap to plan; submit saves only the fields it changes.",
        "- Indexes: `DataValue.element`, `DataValue.unit` and `ValueAudit.unit` lost the "
        "single-column indexes that the composite key and indexes leading with them already "
        "give (migration 0004): two index writes fewer per value, one per audit row.",
        "- The load generator is a minimal HTTP/1.1 client on asyncio streams: httpx cost "
        "~12 ms of CPU per submission on the same two cores, this one ~2.",
        "",
        "Earlier rounds (kept in the code): the expected-unit check by one indexed query "
        "instead of listing the province; the submission row locked alone (the round and form "
        "share-locked) so that schools write in parallel; one read of the values per action "
        "with a snapshot for the response; rule parsing memoised and each reference summed "
        "once per context; token `last_used` written at most every 5 minutes.",
        "",
        "Every collection test passes, on SQLite and on PostgreSQL; the database checks above "
        "(values, audit rows, submissions, events) hold for every scenario.",
        "",
        "### Left (by cost)",
        "",
        "- The fixed part of a request: ~15 statements, each built by the ORM. A path of a "
        "handful of hand-written statements (token and scope in one, the submission upsert "
        "and lock in one, values and audit in one data-modifying CTE) would roughly halve the "
        "gunicorn time; it would duplicate rules the ORM queries state once, so it waits for "
        "a need beyond this benchmark.",
        "- Foreign-key checks on every value and audit row (above). An audit changeset (one "
        "row per write with submission, unit, user, time, reason and channel; one narrow row "
        "per cell pointing at it) would cut the audit's checks from three per cell to one; "
        "it changes the audit's schema and every reader of it.",
        "- The form's layout and cells (JSON) are read and decoded on every request; a "
        "per-process cache needs a version on the form row to stay correct after a pack "
        "reload.",
        "",
        "Workers: 4 sync workers, two per core: the work is CPU-bound Python (one core per "
        "process under the GIL), and while one worker waits on PostgreSQL (a commit waits for "
        "the WAL flush, synchronous_commit on) another runs. An earlier sweep (900 schools) "
        "found 3 to 4 sync workers best; threads cost more CPU than processes and more than "
        "4 workers bought nothing.",
    ]
    return "\n".join(out)
