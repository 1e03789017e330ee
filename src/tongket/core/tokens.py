"""API tokens: create (key shown once, optional expiry), list, revoke, and resolve a presented
key to its user. Creating and revoking go into the change log; an expired or revoked key is
refused like an unknown one (HTTP 401)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tongket.core import audit
from tongket.core.models import ApiToken, ChangeLog
from tongket.core.scope import is_admin
from tongket.core.vntext import clean_text

# last_used is for the token list ("used 3 minutes ago"), not an audit: writing it on every
# request would cost each API call an UPDATE and a commit, so it is refreshed at most this often.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
log = logging.getLogger("tongket.security")

MAX_DAYS = 3650


class TokenError(ValueError):
    """A token request that cannot be done, with a Vietnamese message."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(user, name: str, days: int | None = None, *, actor=None) -> str:
    """A new key for `user` (returned once, only its digest kept); `actor` is who asked (the
    user themself on the web; None on the command line)."""
    name = clean_text(name or "").strip()[:100]
    if not name:
        raise TokenError("Cần đặt tên cho khoá API (vd. máy chủ thống kê).")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(f"Số ngày hiệu lực phải từ 1 đến {MAX_DAYS}.")
    key = "tk_" + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    token = ApiToken.objects.create(user=user, name=name, digest=_digest(key), expires_at=expires)
    audit.record(actor, token, ChangeLog.Action.CREATE)
    return key


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def status(token: ApiToken, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "Đã thu hồi"
    if token.expires_at is not None and token.expires_at <= now:
        return "Hết hạn"
    return "Đang dùng"


@transaction.atomic
def revoke_token(actor, token_id: int, reason: str = "") -> ApiToken:
    """Revoke a token: its owner or an administrator (actor None: the command line)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (actor is not None and token.user_id != actor.pk and not is_admin(actor)):
        # the same answer for "not yours" and "does not exist": ids are not probed
        raise TokenError(f"Không có khoá API số {token_id} của bạn.")
    if token.revoked_at is not None:
        raise TokenError(f"Khoá API số {token_id} đã bị thu hồi.")
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, token, ChangeLog.Action.REVOKE, before=before, reason=reason)
    return token


def user_for_key(key: str):
    if not key or len(key) > 200:
        return None
    # the profile comes in the same query: every API call asks for the user's scope next
    token = (
        ApiToken.objects.select_related("user", "user__profile").filter(digest=_digest(key)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        _touch(token.pk, now)
    return token.user


def _touch(token_pk: int, now: dt.datetime) -> None:
    """Best-effort: a busy database (SQLite lock held elsewhere) or a row locked by another
    request must never fail or hold up the request that merely presents the key. The write
    gets its own savepoint so a failure leaves an outer transaction usable, and on SQLite it
    does not wait for the busy timeout (the next request in 5 minutes tries again)."""
    try:
        if connection.vendor == "sqlite":
            # before BEGIN IMMEDIATE, which is where SQLite would wait for the lock
            with connection.cursor() as cur:
                cur.execute("PRAGMA busy_timeout = 0")
            try:
                with transaction.atomic():
                    ApiToken.objects.filter(pk=token_pk).update(last_used=now)
            finally:
                with connection.cursor() as cur:
                    cur.execute(f"PRAGMA busy_timeout = {_busy_ms()}")
        else:
            with transaction.atomic():
                # SKIP LOCKED: another request updating the same token is not waited for
                locked = list(
                    ApiToken.objects.select_for_update(skip_locked=True)
                    .filter(pk=token_pk)
                    .values_list("pk", flat=True)
                )
                ApiToken.objects.filter(pk__in=locked).update(last_used=now)
    except DatabaseError:
        log.info("api token last_used not recorded (database busy)", extra={"token": token_pk})


def _busy_ms() -> int:
    return int(float(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5)) * 1000)
