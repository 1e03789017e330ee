"""Sign-in protection: lock-out per user name and per address (django-axes), the operator's
reset, password validators, and the security log of failures and lock-outs."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from tongket.core.models import Role
from tongket.core.testing.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "matkhau123"  # the factory's


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def security_log():
    handler = _Records()
    logger = logging.getLogger("tongket.security")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_forty_wrong_passwords_then_the_right_one_is_refused_until_reset(security_log):
    make_user(Role.ADMIN, None, username="quantri")
    client = Client()
    statuses = {_login(client, "quantri", f"sai{i}").status_code for i in range(40)}
    assert 429 in statuses  # locked out on the way

    right = _login(client, "quantri", PASSWORD)
    assert right.status_code == 429 and not _signed_in(client)
    assert "Tạm khoá đăng nhập" in right.content.decode()

    # the lock is per user name: another address does not get round it
    elsewhere = Client()
    assert _login(elsewhere, "quantri", PASSWORD, ip="10.9.9.9").status_code == 429
    assert not _signed_in(elsewhere)

    call_command("axes_reset_username", "quantri")
    again = _login(Client(), "quantri", PASSWORD, ip="10.9.9.9")
    assert again.status_code == 302

    events = [getattr(r, "event", "") for r in security_log]
    assert events.count("login_failed") >= 5
    assert "lockout" in events
    failed = next(r for r in security_log if getattr(r, "event", "") == "login_failed")
    assert failed.user == "quantri" and failed.ip == "10.0.0.1"


def test_one_address_guessing_many_users_is_locked_out_but_not_the_others():
    make_user(Role.ADMIN, None, username="lanhdao")
    attacker = Client()
    for i in range(8):
        _login(attacker, f"khong-co-{i}", "doan-bua", ip="10.6.6.6")
    # the real user from the attacker's address is refused, from their own address let in
    assert _login(Client(), "lanhdao", PASSWORD, ip="10.6.6.6").status_code == 429
    assert _login(Client(), "lanhdao", PASSWORD, ip="10.1.2.3").status_code == 302


def test_a_success_before_the_limit_resets_the_count():
    make_user(Role.ADMIN, None, username="nguoidung")
    client = Client()
    for _ in range(3):
        _login(client, "nguoidung", "sai")
    assert _login(client, "nguoidung", PASSWORD).status_code == 302
    client.logout()
    for _ in range(3):
        _login(client, "nguoidung", "sai")
    assert _login(client, "nguoidung", PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["123", "1234567890", "password123", "matkhau"])
def test_password_validators_refuse_weak_passwords(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_varied_password_passes():
    validate_password("Núi-Tản-sông-Đà-2025")
