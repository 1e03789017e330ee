"""The database's own ceiling for the surge: how many submissions a second PostgreSQL alone
can store on this machine, with Tongket's schema, when no application code runs at all.

pgbench replays, as fast as `clients` connections allow, the writes one submission makes:
its values (one row each, into collection_datavalue with its indexes and foreign keys) and
their audit rows (collection_valueaudit), in one transaction, committed. Whatever the server
does in Python, it cannot store submissions faster than this; with 2 cores shared by the
database and the server, the application's own CPU comes on top.

Two shapes:
  rows      the schema as it is (DHIS2's shape: one row per value, one audit row per change);
  nofk      the same tables copied without their foreign keys (indexes kept), to show what the
            checks cost;
  document  for comparison only, on scratch tables made and dropped here: one JSON document of
            the submission's values per (unit, period) and one audit row holding the diff.

The rows go under periods "F<n>" of one existing unit and submission and are deleted after.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import surge_cpu

SCRIPT = """
SELECT nextval('tongket_floor_seq') AS k \\gset
BEGIN;
INSERT INTO collection_datavalue (element_id, combo, unit_id, period, value, submission_id, source, updated_at)
  SELECT :element, 'c=' || g, :unit, 'F' || :k, g, :sub, 'api', now() FROM generate_series(1, :n) g;
INSERT INTO collection_valueaudit (submission_id, element_code, combo, unit_id, period, old_value, new_value, user_id, at, reason, channel)
  SELECT :sub, 'floor', 'c=' || g, :unit, 'F' || :k, NULL, g, :user, now(), '', 'api' FROM generate_series(1, :n) g;
COMMIT;
"""

DOCUMENT_TABLES = """
CREATE TABLE tongket_floor_doc (id bigserial PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES units_orgunit(id), period varchar(20) NOT NULL,
  data jsonb NOT NULL, UNIQUE (unit_id, period));
CREATE TABLE tongket_floor_audit (id bigserial PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES units_orgunit(id), user_id int REFERENCES auth_user(id),
  period varchar(20) NOT NULL, at timestamptz NOT NULL, diff jsonb NOT NULL);
CREATE INDEX ON tongket_floor_audit (unit_id, period);
"""

NOFK_TABLES = """
CREATE TABLE tongket_floor_dv (LIKE collection_datavalue INCLUDING ALL);
CREATE TABLE tongket_floor_au (LIKE collection_valueaudit INCLUDING ALL);
"""

DOCUMENT_SCRIPT = """
SELECT nextval('tongket_floor_seq') AS k \\gset
BEGIN;
INSERT INTO tongket_floor_doc (unit_id, period, data)
  SELECT :unit, 'F' || :k, jsonb_object_agg('pupils|grade=' || g || ';level=TH', g)
  FROM generate_series(1, :n) g;
INSERT INTO tongket_floor_audit (unit_id, user_id, period, at, diff)
  SELECT :unit, :user, 'F' || :k, now(),
         jsonb_object_agg('pupils|grade=' || g || ';level=TH', jsonb_build_array(NULL, g))
  FROM generate_series(1, :n) g;
COMMIT;
"""


def run(
    db: dict, values: int, clients: int = 4, seconds: int = 20, shape: str = "rows"
) -> dict | None:
    """pgbench over `seconds`; None when pgbench is not installed."""
    exe = shutil.which("pgbench")
    if exe is None:
        return None
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE SEQUENCE IF NOT EXISTS tongket_floor_seq")
        cur.execute("SELECT id, unit_id FROM collection_submission ORDER BY id LIMIT 1")
        sub, unit = cur.fetchone()
        cur.execute("SELECT min(id) FROM catalog_dataelement")
        element = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM auth_user")
        user = cur.fetchone()[0]
        if shape == "document":
            cur.execute(DOCUMENT_TABLES)
        elif shape == "nofk":
            cur.execute(NOFK_TABLES)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "submission.sql"
        script.write_text(
            {
                "rows": SCRIPT,
                "document": DOCUMENT_SCRIPT,
                "nofk": SCRIPT.replace("collection_datavalue", "tongket_floor_dv").replace(
                    "collection_valueaudit", "tongket_floor_au"
                ),
            }[shape]
        )
        cmd = [
            exe,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(seconds),
            "-f",
            str(script),
            *(
                f"-D{k}={v}"
                for k, v in dict(element=element, unit=unit, sub=sub, user=user, n=values).items()
            ),
            "-h",
            db["HOST"],
            "-p",
            str(db["PORT"]),
            "-U",
            db["USER"],
            db["NAME"],
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        meter = surge_cpu.CpuMeter(proc.pid)
        with meter:
            out, err = proc.communicate()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM collection_valueaudit WHERE element_code = 'floor'")
        cur.execute("DELETE FROM collection_datavalue WHERE period LIKE 'F%%'")
        cur.execute("DROP SEQUENCE IF EXISTS tongket_floor_seq")
        cur.execute(
            "DROP TABLE IF EXISTS tongket_floor_doc, tongket_floor_audit, tongket_floor_dv, "
            "tongket_floor_au"
        )
    m = re.search(r"tps = ([0-9.]+)", out)
    lat = re.search(r"latency average = ([0-9.]+) ms", out)
    if proc.returncode != 0 or m is None:
        return {"error": (err or out)[-300:]}
    tps = float(m.group(1))
    cpu = meter.result
    n = max(1.0, tps * seconds)
    return {
        "shape": shape,
        "values": values,
        "clients": clients,
        "seconds": seconds,
        "submissions_per_s": tps,
        "latency_avg_ms": float(lat.group(1)) if lat else None,
        "postgres_cpu_ms": 1000 * cpu["postgres"] / n,
        "machine_busy_pct": 100 * cpu["machine_busy"] / max(1e-9, cpu["machine_total"]),
    }
