"""Safe by default: production settings refuse guessable secrets and open host lists, pass
Django's deployment check, and responses carry the security headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tongket.config import DEV_SECRET, SettingsError, load_settings
from tongket.core.models import Role
from tongket.core.testing.factories import make_school, make_user

STRONG = secrets.token_urlsafe(50)


def _production(monkeypatch, **env: str) -> None:
    monkeypatch.setenv("TONGKET_DEBUG", "false")
    monkeypatch.setenv("TONGKET_ALLOWED_HOSTS", '["tongket.example.vn"]')
    monkeypatch.setenv("TONGKET_SECRET_KEY", STRONG)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_debug_is_off_unless_asked_for(monkeypatch, capsys):
    monkeypatch.delenv("TONGKET_DEBUG", raising=False)
    monkeypatch.delenv("TONGKET_SECRET_KEY", raising=False)
    # off by default, so without a secret the process does not start
    with pytest.raises(SettingsError):
        load_settings()
    assert "TONGKET_SECRET_KEY" in capsys.readouterr().err
    monkeypatch.setenv("TONGKET_SECRET_KEY", STRONG)
    assert load_settings().debug is False


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"TONGKET_SECRET_KEY": DEV_SECRET}, "TONGKET_SECRET_KEY"),
        ({"TONGKET_SECRET_KEY": "x" * 40 + "abcdefghij"[:9]}, "50"),  # 49 characters
        ({"TONGKET_SECRET_KEY": "ab" * 40}, "5 different"),  # long, two characters
        ({"TONGKET_SECRET_KEY": "django-insecure-" + STRONG}, "TONGKET_SECRET_KEY"),
        ({"TONGKET_ALLOWED_HOSTS": '["*"]'}, "TONGKET_ALLOWED_HOSTS"),
        ({"TONGKET_CSRF_TRUSTED_ORIGINS": '["tongket.vn"]'}, "TONGKET_CSRF_TRUSTED_ORIGINS"),
    ],
)
def test_production_refuses_to_start_unsafe(monkeypatch, capsys, env, says):
    _production(monkeypatch, **env)
    with pytest.raises(SettingsError):
        load_settings()
    assert says in capsys.readouterr().err


def test_production_with_a_strong_secret_starts(monkeypatch):
    _production(monkeypatch)
    s = load_settings()
    assert not s.debug and s.allowed_hosts == ["tongket.example.vn"]


def test_check_deploy_passes_with_production_settings(tmp_path):
    """`tongket check --deploy --fail-level WARNING` in a fresh process: debug off, a strong
    secret and an allowed host are all it takes."""
    env = {
        k: v
        for k, v in os.environ.items()
        # a production process has none of the test run's settings, nor the async escape
        # hatch the browser tests set for Django's live server
        if not k.startswith("TONGKET_")
        and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        TONGKET_DEBUG="false",
        TONGKET_SECRET_KEY=secrets.token_urlsafe(50),
        TONGKET_ALLOWED_HOSTS='["tongket.example.vn"]',
        TONGKET_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    tongket = str(Path(sys.executable).parent / "tongket")
    res = subprocess.run(
        [tongket, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no issues" in res.stdout
    # and with debug on (what `make demo` asks for) the same check fails: it is really checking
    env["TONGKET_DEBUG"] = "true"
    res = subprocess.run(
        [tongket, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode != 0


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_not_stored():
    client = Client()
    anonymous = client.get("/")  # the redirect to the sign-in page: nothing private in it
    assert anonymous.status_code == 302 and "Cache-Control" not in anonymous
    client.force_login(make_user(Role.ADMIN, None))
    page = client.get("/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_api_answers_to_a_token_are_private(settings):
    from tongket.core.tokens import create_token

    key = create_token(make_user(Role.ADMIN, None), "kiểm thử")
    res = Client().get("/api/collection/rounds", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert res.status_code == 200
    assert res["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_content_security_policy_allows_only_own_scripts():
    res = Client().get("/login/")
    csp = res["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert res["X-Frame-Options"] == "DENY"


def test_templates_carry_no_inline_script():
    """The policy allows no inline script: no <script> without src, no on…= handlers."""
    import re

    root = Path(__file__).resolve().parents[2]
    bad = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            bad.append(f"{path.name}: {m.group(0)}")
        for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            bad.append(f"{path.name}: {m.group(0)}")
    assert not bad, bad


def test_security_events_are_logged_as_json():
    import json
    import logging

    from tongket.core.logs import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "tongket.security", "levelname": "WARNING", "msg": "login failed"}
    )
    record.event, record.user, record.ip = "login_failed", "so11", "10.0.0.1"
    out = json.loads(JsonFormatter().format(record))
    assert out["event"] == "login_failed" and out["user"] == "so11" and out["ip"] == "10.0.0.1"
    assert out["level"] == "WARNING" and out["message"] == "login failed"


@pytest.mark.django_db
def test_refused_access_is_a_security_event():
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("tongket.security")
    logger.addHandler(handler)
    try:
        client = Client()
        school = make_school().unit
        client.force_login(make_user(Role.SCHOOL, school, username="lanhdao-xem"))
        res = client.post("/analytics/chi-tieu/nhap/", {})
    finally:
        logger.removeHandler(handler)
    assert res.status_code == 403
    hit = [r for r in records if getattr(r, "event", "") == "forbidden"]
    assert hit and hit[0].user == "lanhdao-xem" and hit[0].path == "/analytics/chi-tieu/nhap/"


def test_client_address_comes_from_the_proxy_only_when_it_is_trusted(settings, rf):
    from tongket.core.middleware import client_ip

    req = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.7")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(req) == "127.0.0.1"  # a client cannot pick its own address
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(req) == "10.0.0.7"  # the hop nginx appended


def test_proxy_settings_reach_django(monkeypatch):
    _production(
        monkeypatch,
        TONGKET_PROXY_SSL_HEADER="true",
        TONGKET_CSRF_TRUSTED_ORIGINS='["https://tongket.example.vn"]',
        TONGKET_HSTS_SECONDS="600",
    )
    s = load_settings()
    assert s.proxy_ssl_header and s.csrf_trusted_origins == ["https://tongket.example.vn"]
    assert s.hsts_seconds == 600 and s.ssl_redirect
