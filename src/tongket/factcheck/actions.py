"""Every write of the report checker's web side: keeping a checked text, importing its figures.

The import never trusts a value sent by the browser: it runs the analysis again on the stored
text and takes the facts by their index in it. It checks the user's write scope on the unit as
of the first day of the period, refuses every fact that is not importable, and writes all the
chosen facts or none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongket.catalog.models import Indicator
from tongket.core.periods import Period, PeriodError, parse
from tongket.core.scope import require_write
from tongket.core.vntext import nfc
from tongket.factcheck.checks import analyse
from tongket.factcheck.extract import Fact
from tongket.factcheck.models import DUPLICATE_IMPORT_MESSAGE, CheckedDocument, HistoricalValue
from tongket.units.models import OrgUnit

IMPORTABLE_UNITS = ("percent", "count")
UNIT_VI = {"percent": "tỷ lệ (%)", "count": "số lượng", "VND": "tiền (đồng)", "other": "khác"}
PASTED_NAME = "Văn bản dán vào"


def text_sha256(text: str) -> str:
    """Fingerprint of the NFC text the offsets refer to (the same for a file and its paste)."""
    return hashlib.sha256(nfc(text).encode("utf-8")).hexdigest()


def clean_document_name(name: str | None) -> str:
    name = " ".join(nfc(name or "").split())
    return name[:255] or PASTED_NAME


def save_checked_document(user, name: str, text: str) -> CheckedDocument:
    """Keep the text between the analyse step and the confirm step."""
    text = nfc(text)
    return CheckedDocument.objects.create(
        owner=user, name=clean_document_name(name), sha256=text_sha256(text), text=text
    )


def catalog_indicators(codes: Iterable[str | None]) -> dict[str, Indicator]:
    """The catalog indicators among the codes (the checker's keyword map may name others)."""
    wanted = {c for c in codes if c}
    return {i.code: i for i in Indicator.objects.filter(code__in=wanted)}


@lru_cache(maxsize=1)
def _topics() -> dict[str, str]:
    import yaml

    from tongket.factcheck.extract import DEFAULT_CONFIG_PATH

    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")) or {}
    items = data.get("indicators", []) if isinstance(data, dict) else []
    return {i["code"]: i["keywords"][0] for i in items if i.get("keywords")}


def topic_of(code: str) -> str:
    """The checker's keyword code in words ("budget" → "kinh phí"): its first keyword."""
    return _topics().get(code, code)


def importable_reason(fact: Fact, indicators: dict[str, Indicator]) -> str | None:
    """None when the fact may be imported, else why not (Vietnamese)."""
    if not fact.indicator:
        return "chưa nhận ra chỉ tiêu"
    indicator = indicators.get(fact.indicator)
    if indicator is None:
        return f"“{topic_of(fact.indicator)}” chưa có chỉ tiêu tương ứng trong danh mục"
    if fact.unit not in IMPORTABLE_UNITS:
        return "chỉ nhập được tỷ lệ (%) hoặc số lượng"
    if indicator.unit != fact.unit:
        have = UNIT_VI.get(fact.unit, fact.unit)
        want = UNIT_VI.get(indicator.unit, indicator.unit)
        return f"chỉ tiêu '{indicator.name_vi}' tính bằng {want}, số liệu là {have}"
    if fact.is_target:
        return "đây là chỉ tiêu kế hoạch, không phải kết quả"
    if fact.bound != "exact" or fact.range is not None:
        return "số liệu ước lượng hoặc khoảng, không phải giá trị chính xác"
    return None


def parse_period(code: str) -> Period:
    try:
        return parse(code or "")
    except PeriodError as exc:
        raise ValidationError(f"Kỳ báo cáo: {exc}") from exc


def _indexes(fact_indexes: Iterable[int | str]) -> list[int]:
    out: set[int] = set()
    for raw in fact_indexes:
        try:
            out.add(int(raw))
        except (TypeError, ValueError):
            raise ValidationError(f"Số thứ tự số liệu không hợp lệ: '{raw}'.") from None
    if not out:
        raise ValidationError("Chưa chọn số liệu nào để nhập.")
    return sorted(out)


@transaction.atomic
def do_import_facts(
    user,
    unit_id: int,
    period: str,
    document_name: str,
    text: str,
    fact_indexes: Iterable[int | str],
) -> list[HistoricalValue]:
    """Import the chosen facts of the text as historical values of the unit for the period.

    Raises PermissionDenied when the unit is outside the user's write scope (leaders never
    write) and ValidationError (Vietnamese) for anything else; nothing is written then.
    """
    p = parse_period(period)
    require_write(user, unit_id, p.start)
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError("Không tìm thấy đơn vị đã chọn.")
    if unit.valid_from > p.end or (unit.valid_to is not None and unit.valid_to < p.start):
        raise ValidationError(f"Đơn vị '{unit.name}' không tồn tại trong {p.label_vi.lower()}.")
    indexes = _indexes(fact_indexes)

    analysis = analyse(text)
    sha = text_sha256(analysis.text)
    facts = analysis.facts
    bad = [i for i in indexes if not 0 <= i < len(facts)]
    if bad:
        raise ValidationError(
            f"Không có số liệu số {', '.join(str(i + 1) for i in bad)} trong tài liệu."
        )
    indicators = catalog_indicators(facts[i].indicator for i in indexes)
    refused = []
    for i in indexes:
        reason = importable_reason(facts[i], indicators)
        if reason:
            refused.append(f"#{i + 1} «{facts[i].quote}»: {reason}")
    if refused:
        raise ValidationError(["Không nhập được các số liệu sau:", *refused])

    chosen = [facts[i] for i in indexes]
    existing = set(
        HistoricalValue.objects.filter(
            unit=unit,
            period=p.code,
            document_sha256=sha,
            start__in=[f.start for f in chosen],
        ).values_list("indicator__code", "start")
    )
    dup = [f for f in chosen if (f.indicator, f.start) in existing]
    if dup:
        quotes = ", ".join(f"«{f.quote}»" for f in dup)
        raise ValidationError(f"{DUPLICATE_IMPORT_MESSAGE} ({quotes})")

    now = timezone.now()
    name = clean_document_name(document_name)
    rows = [
        HistoricalValue(
            indicator=indicators[cast(str, f.indicator)],  # importable_reason() checked it
            unit=unit,
            period=p.code,
            value=f.value,
            numerator=f.numerator,
            denominator=f.denominator,
            document_name=name,
            document_sha256=sha,
            start=f.start,
            end=f.end,
            quote=f.quote,
            imported_by=user,
            imported_at=now,
        )
        for f in chosen
    ]
    try:
        with transaction.atomic():
            HistoricalValue.objects.bulk_create(rows)
    except IntegrityError as exc:  # a concurrent import of the same figures
        raise ValidationError(DUPLICATE_IMPORT_MESSAGE) from exc
    return rows
