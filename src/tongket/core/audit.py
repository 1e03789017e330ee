"""The change log: one mechanism recording who changed what, when, why and through which door.

Actions call `snapshot(obj)` before they change an object and `record(...)` after; the Django
admin calls the same through `AuditedAdmin`. The channel (web, excel, api, cli, admin) is set
once per request by `ChannelMiddleware` from the URL; outside a request (management commands,
jobs) it is "cli". An action that knows better (an Excel import on the web) passes it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tongket.core.models import ChangeLog, Channel

_channel: contextvars.ContextVar[str] = contextvars.ContextVar("tongket_channel", default="cli")

# never copied into the log: secrets and bookkeeping that changes on every save
SKIP_FIELDS = {"password", "digest", "updated_at", "last_login", "last_used", "id"}


def current_channel() -> str:
    return _channel.get()


def set_channel(channel: str) -> contextvars.Token:
    return _channel.set(channel)


def reset_channel(token: contextvars.Token) -> None:
    _channel.reset(token)


@contextlib.contextmanager
def channel(name: str) -> Iterator[None]:
    """Record the changes made inside the block as coming through `name` (e.g. the demo)."""
    token = set_channel(name)
    try:
        yield
    finally:
        reset_channel(token)


def channel_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/admin/"):
        return Channel.ADMIN
    return Channel.WEB


class ChannelMiddleware:
    """Tell the change log which door a request came through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_channel(channel_for_path(request.path_info))
        try:
            return self.get_response(request)
        finally:
            reset_channel(token)


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field's value (dates as dd/mm/yyyy text, as people read them)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value.tzinfo else str(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} byte>"
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model | None, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values (foreign keys as their id), JSON-safe."""
    if obj is None:
        return {}
    out: dict[str, Any] = {}
    names = set(fields) if fields is not None else None
    for f in obj._meta.concrete_fields:
        if f.name in SKIP_FIELDS or (names is not None and f.name not in names):
            continue
        out[f.name] = _plain(getattr(obj, f.attname))
    return out


def stored_snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The snapshot of the row as the database holds it (for the admin, whose form has already
    changed the object in memory)."""
    if obj.pk is None:
        return {}
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(row, fields) if row is not None else {}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def unit_of(obj: models.Model) -> int | None:
    """Whose scope an object lives in: its unit, school or round root; a user's profile unit."""
    for attr in ("unit_id", "school_id", "root_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return value
    profile = getattr(obj, "profile", None) if hasattr(obj, "get_username") else None
    return getattr(profile, "unit_id", None)


def _actor(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_username()[:150]


def record(
    user,
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    channel: str | None = None,
    unit_id: int | None = None,
    object_id: int | None = None,
) -> ChangeLog | None:
    """Write one entry. A "change" that changed nothing writes nothing.

    `before`/`after` are snapshots; when `after` is None it is taken from `obj` (None for a
    deletion). `unit_id` is whose scope the object lives in (who may read its history).
    """
    if after is None and action != ChangeLog.Action.DELETE:
        after = snapshot(obj)
    changes = diff(before or {}, after or {})
    if action == ChangeLog.Action.CHANGE and not changes:
        return None
    pk = object_id if object_id is not None else obj.pk
    return ChangeLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=pk,
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
        user=user if getattr(user, "is_authenticated", False) else None,
        actor=_actor(user),
        channel=channel or current_channel(),
        reason=(reason or "").strip()[:500],
        at=timezone.now(),
        unit_id=unit_id if unit_id is not None else unit_of(obj),
    )


def history(model: type[models.Model], pk: int) -> models.QuerySet[ChangeLog]:
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=pk
    ).select_related("user")


def last_editor(obj: models.Model) -> ChangeLog | None:
    """The latest entry of the object: who last touched it, and when."""
    return history(type(obj), obj.pk).first()
