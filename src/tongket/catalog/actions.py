"""Load a checked pack into the database (idempotent: same checksum, nothing changes)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from tongket.catalog import models as m
from tongket.catalog.packs import Pack, check_pack


def default_pack_dir() -> Path:
    return Path(settings.TONGKET.packs_dir) / "catalog"


@transaction.atomic
def load_pack(root: Path | str | None = None) -> tuple[Pack, bool]:
    """Check then load; returns (pack, changed). A pack with errors raises PackError, untouched DB."""
    pack = check_pack(root or default_pack_dir())
    existing = m.PackVersion.objects.filter(name=pack.name, version=pack.version).first()
    if existing and existing.checksum == pack.checksum and m.Form.objects.exists():
        return pack, False
    for d in pack.dimensions.values():
        m.Dimension.objects.update_or_create(
            code=d.code,
            defaults={
                "name_vi": d.name_vi,
                "name_en": d.name_en,
                "options": d.options,
                "source": d.source,
            },
        )
    for e in pack.elements.values():
        m.DataElement.objects.update_or_create(
            code=e.code,
            defaults={
                "name_vi": e.name_vi,
                "name_en": e.name_en,
                "value_type": e.value_type,
                "aggregation": e.aggregation,
                "dims": list(e.dims),
                "source": e.source,
            },
        )
    for f in pack.forms.values():
        m.Form.objects.filter(code=f.code).exclude(version=f.version).update(is_current=False)
        m.Form.objects.update_or_create(
            code=f.code,
            version=f.version,
            defaults={
                "name_vi": f.name_vi,
                "name_en": f.name_en,
                "round": f.round,
                "period_kind": f.period_kind,
                "levels": list(f.levels),
                "source": f.source,
                "layout": f.layout,
                "is_current": True,
                "cells": [[c.element, c.combo, c.computed] for c in f.cells],
            },
        )
    for i in pack.indicators.values():
        m.Indicator.objects.update_or_create(
            code=i.code,
            defaults={
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "factor": i.factor,
                "unit": i.unit,
                "direction": i.direction,
                "source": i.source,
                "decimals": i.decimals,
            },
        )
    for r in pack.rules.values():
        m.ValidationRule.objects.update_or_create(
            code=r.code,
            defaults={
                "left": r.left,
                "op": r.op,
                "right": r.right,
                "severity": r.severity,
                "message_vi": r.message_vi,
                "message_en": r.message_en,
                "source": r.source,
            },
        )
    m.PackVersion.objects.update_or_create(
        name=pack.name,
        version=pack.version,
        defaults={"checksum": pack.checksum, "source": pack.source},
    )
    return pack, True
