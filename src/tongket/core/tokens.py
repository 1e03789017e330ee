"""API tokens: create (key shown once), and resolve a presented key to its user."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tongket.core.models import ApiToken

# last_used is for the token list ("used 3 minutes ago"), not an audit: writing it on every
# request would cost each API call an UPDATE and a commit, so it is refreshed at most this often.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
log = logging.getLogger("tongket.security")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name: str) -> str:
    key = "tk_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], digest=_digest(key))
    return key


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
