"""Who may read the change log of which object, and how an entry reads on the page.

An object's history is read as its object is: within the scope of the unit recorded with its
entries (so it stays readable, by the same people, once the object is deleted). A user's and a
token's history: the administrators and the person themself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone

from tongket.core import audit
from tongket.core.models import ChangeLog
from tongket.core.scope import can_read_unit, is_admin

# URL name of a kind -> model label
KINDS = {
    "target": "analytics.Target",
    "certificate": "norms.SchoolCertificate",
    "draft": "reports.ReportDraft",
    "round": "collection.ReportingRound",
    "submission": "collection.Submission",
    "user": None,  # the user model, whichever it is
    "token": "core.ApiToken",
    "profile": "core.Profile",
}
KIND_LABEL = {
    "target": "chỉ tiêu",
    "certificate": "giấy chứng nhận",
    "draft": "bản thảo báo cáo",
    "round": "đợt báo cáo",
    "submission": "báo cáo của đơn vị",
    "user": "người dùng",
    "token": "khoá API",
    "profile": "hồ sơ người dùng",
}


def model_of(kind: str) -> type[models.Model]:
    if kind not in KINDS:
        raise Http404("Không có loại đối tượng này.")
    label = KINDS[kind]
    return get_user_model() if label is None else apps.get_model(label)


def _owner_id(kind: str, obj: models.Model | None, pk: int) -> int | None:
    """The user a user/token/profile entry belongs to (who may read it besides the admins)."""
    if kind == "user":
        return pk
    return getattr(obj, "user_id", None)


def access_history(user, kind: str, pk: int) -> tuple[models.Model | None, list[ChangeLog]]:
    """The object (None once deleted) and its entries, newest first, if the user may read
    them; PermissionDenied otherwise, Http404 when nothing is known of it."""
    model = model_of(kind)
    obj = model._default_manager.filter(pk=pk).first()
    entries = list(audit.history(model, pk))
    if obj is None and not entries:
        raise Http404("Không có đối tượng này.")
    if is_admin(user):
        return obj, entries
    if kind in ("user", "token", "profile"):
        owner = _owner_id(kind, obj, pk)
        if owner is not None and owner == getattr(user, "pk", None):
            return obj, entries
        raise PermissionDenied("Bạn không có quyền xem lịch sử này.")
    unit_id = audit.unit_of(obj) if obj is not None else entries[0].unit_id
    on = entries[0].at.date() if entries else timezone.localdate()
    if unit_id is None or not (
        can_read_unit(user, unit_id, on) or can_read_unit(user, unit_id, timezone.localdate())
    ):
        raise PermissionDenied("Bạn không có quyền xem lịch sử này.")
    return obj, entries


@dataclass
class Row:
    entry: ChangeLog
    fields: list[tuple[str, str, str]]  # label, old, new


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "có"
    if value is False:
        return "không"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)


def rows(model: type[models.Model], entries: list[ChangeLog]) -> list[Row]:
    labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
    out = []
    for e in entries:
        fields = [
            (labels.get(name, name), _show(old), _show(new))
            for name, (old, new) in sorted(e.changes.items())
        ]
        out.append(Row(e, fields))
    return out
