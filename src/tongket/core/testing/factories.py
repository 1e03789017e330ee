"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from tongket.core.models import Profile, Role
from tongket.units import actions
from tongket.units.models import OrgUnit, UnitKind
from tongket.units.queries import unit_by_code

_codes = itertools.count(1)


def commune(code: str = "03127", on: dt.date | None = None) -> OrgUnit:
    """A real commune of the loaded tree (default: one in Điện Biên, current tree)."""
    return unit_by_code(UnitKind.COMMUNE, code, on or dt.date(2025, 9, 1))


def make_school(commune_unit: OrgUnit | None = None, levels=("TH",), opened=None, **kw):
    commune_unit = commune_unit or commune()
    n = next(_codes)
    return actions.create_school(
        code=kw.pop("code", f"T{n:07d}"),
        name=kw.pop("name", f"Trường Tiểu học Số {n}"),
        commune=commune_unit,
        levels=list(levels),
        opened=opened,
        **kw,
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "matkhau123")


def make_user(role: str, unit: OrgUnit | None, username: str | None = None) -> User:
    user = UserFactory.create(username=username) if username else UserFactory.create()
    user.save()
    Profile.objects.create(user=user, role=role, unit=unit, full_name=f"Người dùng {user.username}")
    return user


__all__ = ["Role", "UserFactory", "commune", "make_school", "make_user"]
