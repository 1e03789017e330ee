"""Scope: which units a user may read or write. Every view, API call and export asks here.

A user's scope is the subtree of their profile's unit as of the date in question (a commune
officer sees the schools of the commune *as of the period*); leaders read their subtree and
never write; administrators see everything.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from tongket.core.models import Profile, Role


def profile_of(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def is_admin(user) -> bool:
    prof = profile_of(user)
    return bool(getattr(user, "is_superuser", False) or (prof and prof.role == Role.ADMIN))


def can_read_unit(user, unit_id: int, on: dt.date) -> bool:
    if is_admin(user):
        return True
    prof = profile_of(user)
    if prof is None or prof.unit_id is None:
        return False
    if prof.unit_id == unit_id:
        return True
    from tongket.units.queries import is_under

    return is_under(unit_id, prof.unit_id, on)


def can_write_unit(user, unit_id: int, on: dt.date) -> bool:
    prof = profile_of(user)
    if is_admin(user):
        return True
    if prof is None or prof.role == Role.LEADER:
        return False
    return can_read_unit(user, unit_id, on)


def require_read(user, unit_id: int, on: dt.date) -> None:
    if not can_read_unit(user, unit_id, on):
        raise PermissionDenied("Bạn không có quyền xem dữ liệu của đơn vị này.")


def require_write(user, unit_id: int, on: dt.date) -> None:
    if not can_write_unit(user, unit_id, on):
        raise PermissionDenied("Bạn không có quyền sửa dữ liệu của đơn vị này.")
