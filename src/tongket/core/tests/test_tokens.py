"""API tokens: the key resolves to its user once, is stored only as a digest, and last_used is
kept fresh without a write on every request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongket.core import tokens
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
