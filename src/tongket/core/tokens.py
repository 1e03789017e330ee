"""API tokens: create (key shown once), and resolve a presented key to its user."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from tongket.core.models import ApiToken

# last_used is for the token list ("used 3 minutes ago"), not an audit: writing it on every
# request would cost each API call an UPDATE and a commit, so it is refreshed at most this often.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


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
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
