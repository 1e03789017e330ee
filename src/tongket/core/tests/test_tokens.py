"""API tokens: the key resolves to its user once, is stored only as a digest, and last_used is
kept fresh without a write on every request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongket.core import audit, tokens
from tongket.core.models import ApiToken, Role
from tongket.core.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_key_resolves_to_its_user_and_only_the_digest_is_stored():
    user = make_user(Role.ADMIN, None)
    key = tokens.create_token(user, "máy chủ thống kê")
    assert tokens.user_for_key(key) == user
    assert not ApiToken.objects.filter(digest=key).exists()
    assert tokens.user_for_key(key + "x") is None
    assert tokens.user_for_key("") is None
    assert tokens.user_for_key("k" * 500) is None


def test_inactive_user_key_is_refused():
    user = make_user(Role.ADMIN, None)
    key = tokens.create_token(user, "t")
    user.is_active = False
    user.save()
    assert tokens.user_for_key(key) is None


def test_last_used_is_refreshed_at_most_every_few_minutes(django_assert_num_queries):
    key = tokens.create_token(make_user(Role.ADMIN, None), "t")
    tokens.user_for_key(key)
    first = ApiToken.objects.get().last_used
    assert first is not None

    with django_assert_num_queries(1):  # the lookup only: no UPDATE
        tokens.user_for_key(key)
    assert ApiToken.objects.get().last_used == first

    old = timezone.now() - tokens.LAST_USED_RESOLUTION - dt.timedelta(seconds=1)
    ApiToken.objects.update(last_used=old)
    tokens.user_for_key(key)
    assert ApiToken.objects.get().last_used > old


def _api(client, key: str) -> int:
    return client.get("/api/collection/rounds", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_expired_and_revoked_keys_get_401(client):
    user = make_user(Role.ADMIN, None)
    key = tokens.create_token(user, "hết hạn", days=1)
    assert _api(client, key) == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _api(client, key) == 401

    key2 = tokens.create_token(user, "thu hồi")
    assert _api(client, key2) == 200
    t = ApiToken.objects.get(name="thu hồi")
    tokens.revoke_token(user, t.pk, "Lộ khoá")
    assert _api(client, key2) == 401
    with pytest.raises(tokens.TokenError, match="đã bị thu hồi"):
        tokens.revoke_token(user, t.pk)


def test_create_and_revoke_are_in_the_change_log():
    from tongket.core.models import ChangeLog

    user = make_user(Role.ADMIN, None)
    tokens.create_token(user, "máy chủ", days=30, actor=user)
    t = ApiToken.objects.get()
    assert t.expires_at is not None and (t.expires_at - timezone.now()).days in (29, 30)
    tokens.revoke_token(user, t.pk, "Không dùng nữa")
    entries = list(audit.history(ApiToken, t.pk).order_by("at", "pk"))
    assert [e.action for e in entries] == [ChangeLog.Action.CREATE, ChangeLog.Action.REVOKE]
    assert entries[0].changes["name"] == [None, "máy chủ"] and "digest" not in entries[0].changes
    assert entries[1].reason == "Không dùng nữa" and entries[1].actor == user.username
    assert entries[1].changes["revoked_at"][0] is None


def test_another_users_token_cannot_be_revoked_nor_probed():
    owner, other = make_user(Role.ADMIN, None), make_user(Role.LEADER, _province())
    tokens.create_token(owner, "của chủ")
    t = ApiToken.objects.get()
    for token_id in (t.pk, t.pk + 1000):  # not yours / does not exist: the same message
        with pytest.raises(tokens.TokenError, match=f"Không có khoá API số {token_id} của bạn"):
            tokens.revoke_token(other, token_id)
    assert ApiToken.objects.get().revoked_at is None


def test_bad_name_or_days_refused():
    user = make_user(Role.ADMIN, None)
    with pytest.raises(tokens.TokenError, match="tên"):
        tokens.create_token(user, " \x00 ")
    with pytest.raises(tokens.TokenError, match="Số ngày"):
        tokens.create_token(user, "x", days=0)
    assert not ApiToken.objects.exists()


def test_own_tokens_page_lists_creates_and_revokes(client):
    user = make_user(Role.LEADER, _province())
    other = make_user(Role.LEADER, _province())
    tokens.create_token(other, "khoá của người khác")
    client.force_login(user)
    resp = client.post("/tokens/", {"action": "create", "name": "bảng tính", "days": "7"})
    html = resp.content.decode()
    key = html.split("<code>")[1].split("</code>")[0]
    assert key.startswith("tk_") and tokens.user_for_key(key) == user
    assert "no-store" in resp["Cache-Control"]
    page = client.get("/tokens/").content.decode()
    assert "bảng tính" in page and "Đang dùng" in page and key not in page
    assert "khoá của người khác" not in page
    mine = ApiToken.objects.get(user=user)
    theirs = ApiToken.objects.get(user=other)
    client.post("/tokens/", {"action": "revoke", "id": str(theirs.pk)})
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.post("/tokens/", {"action": "revoke", "id": str(mine.pk)}).status_code == 302
    assert "Đã thu hồi" in client.get("/tokens/").content.decode()
    assert client.get(f"/history/token/{mine.pk}/").status_code == 200
    client.force_login(other)
    assert client.get(f"/history/token/{mine.pk}/").status_code == 403


def test_token_command_create_list_revoke():
    import io

    from django.core.management import call_command

    user = make_user(Role.ADMIN, None, username="maychu")
    out = io.StringIO()
    call_command("token", "create", "maychu", "thống kê", "--days", "10", stdout=out)
    key = out.getvalue().strip()
    assert tokens.user_for_key(key) == user
    out = io.StringIO()
    call_command("token", "list", "maychu", stdout=out)
    t = ApiToken.objects.get()
    line = out.getvalue().strip()
    assert line.startswith(f"{t.pk}\tmaychu\tthống kê\tĐang dùng") and key not in line
    out = io.StringIO()
    call_command("token", "revoke", str(t.pk), "--reason", "thôi", stdout=out)
    assert "Đã thu hồi" in out.getvalue() and tokens.user_for_key(key) is None
    entry = audit.history(ApiToken, t.pk).first()
    assert entry.channel == "cli" and entry.reason == "thôi"


def _province():
    from tongket.units.models import UnitKind
    from tongket.units.queries import unit_by_code

    return unit_by_code(UnitKind.PROVINCE, "11", dt.date(2025, 9, 1))
