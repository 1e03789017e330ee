"""SQLite under a lock held elsewhere: after the short busy timeout a write answers 503 with
Retry-After (web and API), never a 500 and never a hang, and a token-authenticated read still
answers (its `last_used` write is best-effort). A second connection holds the write lock on a
file database; the probe runs in its own process so it has a file database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, sqlite3, sys, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from tongket.core.models import ApiToken, Profile, Role
from tongket.core.tokens import create_token
from django.contrib.auth import get_user_model

call_command("migrate", "--no-input", verbosity=0)
user = get_user_model().objects.create_user("quantri", password="Mat-khau-dai-2025")
Profile.objects.create(user=user, role=Role.ADMIN, full_name="Quản trị")
key = create_token(user, "probe")
db = sys.argv[1]
out = {}

holder = sqlite3.connect(db, isolation_level=None)
holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
holder.execute("UPDATE core_profile SET full_name = full_name")

client = Client(raise_request_exception=False)
t = time.monotonic()
r = client.get("/api/collection/rounds", HTTP_AUTHORIZATION="Bearer " + key)
out["api_read"] = [r.status_code, time.monotonic() - t]

t = time.monotonic()
r = client.post("/login/", {"username": "quantri", "password": "Mat-khau-dai-2025"})
out["web_write"] = [r.status_code, time.monotonic() - t, r.get("Retry-After"), r.content.decode()]

client.force_login  # the API write needs no session: a token PUT on a missing round
t = time.monotonic()
r = client.put(
    "/api/collection/rounds/999/units/1/values",
    data=json.dumps({"version": 0, "values": []}),
    content_type="application/json",
    HTTP_AUTHORIZATION="Bearer " + key,
)
out["api_write"] = [r.status_code, time.monotonic() - t, r.get("Retry-After")]

holder.execute("ROLLBACK")
holder.close()
r = Client().post("/login/", {"username": "quantri", "password": "Mat-khau-dai-2025"})
out["after"] = r.status_code
out["last_used_recorded"] = ApiToken.objects.get().last_used is not None
print("RESULT " + json.dumps(out))
"""


def test_a_held_lock_gives_503_with_retry_after_not_500_nor_a_hang(tmp_path):
    db = tmp_path / "khoa.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGKET_")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        TONGKET_DATA_DIR=str(tmp_path),
        TONGKET_DEBUG="true",
        TONGKET_SQLITE_BUSY_TIMEOUT="1",
        DJANGO_SETTINGS_MODULE="tongket.settings",
    )
    res = subprocess.run(
        [sys.executable, "-c", PROBE, str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parent,
    )
    line = next((x for x in res.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, res.stdout[-3000:] + res.stderr[-3000:]
    out = json.loads(line.removeprefix("RESULT "))

    status, seconds = out["api_read"]
    assert status == 200 and seconds < 3  # last_used skipped, not waited for

    status, seconds, retry, body = out["web_write"]
    assert status == 503 and retry == "5" and seconds < 5
    assert "thử lại" in body

    status, seconds, retry = out["api_write"]
    assert status in (503, 404) and seconds < 5  # 404: the round lookup ran before any write
    if status == 503:
        assert retry == "5"

    assert out["after"] == 302  # the lock released, everything works again
