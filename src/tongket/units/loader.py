"""Load the real administrative tree of Vietnam, both sides of the 1 July 2025 reform.

- Current tree (nation -> 34 provinces -> 3,321 communes): the `vietnam-provinces` package.
- Legacy tree (63 provinces -> 696 districts -> ~10,000 communes): `vietnamadminunits`
  (its bundled SQLite dataset), which also ships coordinates and the old -> new converter
  tables we turn into UnitSuccessor links.

A province whose code survived the reform (e.g. 11 Điện Biên, 08 Tuyên Quang) is one unit
across both trees; provinces that were absorbed end on 30/6/2025 with a successor link.
Communes are always separate units on each side: a new commune is a new entity even when it
kept an old code (codes of the two sides may coincide, e.g. 00004).

Idempotent: units are matched by (kind, code, valid_from); links are replaced wholesale.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tongket.core.vntext import fold, nfc
from tongket.units.actions import rebuild_closure
from tongket.units.models import (
    EPOCH,
    LEGACY_END,
    REFORM_DATE,
    OrgUnit,
    UnitKind,
    UnitParent,
    UnitSuccessor,
)

NATION_CODE = "VN"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: int = 0
    successor_links: int = 0
    unmapped_converter_keys: list[str] = field(default_factory=list)
    closure_rows: int = 0

    def lines(self) -> list[str]:
        out = [f"  {kind}: +{n}" for kind, n in sorted(self.created.items())]
        out.append(f"  updated: {self.updated}")
        out.append(f"  successor links: {self.successor_links}")
        out.append(f"  closure rows: {self.closure_rows}")
        if self.unmapped_converter_keys:
            out.append(
                f"  converter keys without a unit (data errors in the package): "
                f"{len(self.unmapped_converter_keys)}"
            )
        return out


def _vau_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


def _current_divisions() -> list[dict]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


class _Registry:
    """Existing units by (kind, code, valid_from); creates or updates in bulk."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.by_key: dict[tuple[str, str, object], OrgUnit] = {
            (u.kind, u.code, u.valid_from): u for u in OrgUnit.objects.exclude(kind=UnitKind.SCHOOL)
        }
        self.pending: list[OrgUnit] = []
        self.dirty: list[OrgUnit] = []

    def upsert(self, kind, code, name, valid_from, valid_to, division_type="", lat=None, lon=None):
        name = nfc(name)
        unit = self.by_key.get((kind, code, valid_from))
        if unit is None:
            unit = OrgUnit(
                kind=kind,
                code=code,
                name=name,
                division_type=division_type,
                valid_from=valid_from,
                valid_to=valid_to,
                latitude=lat,
                longitude=lon,
                search_key=fold(f"{name} {code}"),
            )
            self.by_key[(kind, code, valid_from)] = unit
            self.pending.append(unit)
            self.report.created[kind] += 1
        elif (unit.name, unit.valid_to, unit.latitude, unit.division_type) != (
            name,
            valid_to,
            lat,
            division_type,
        ):
            unit.name, unit.valid_to, unit.latitude, unit.longitude = name, valid_to, lat, lon
            unit.division_type = division_type
            unit.search_key = fold(f"{name} {code}")
            self.dirty.append(unit)
            self.report.updated += 1
        return unit

    def flush(self) -> None:
        OrgUnit.objects.bulk_create(self.pending, batch_size=2000)
        if self.dirty:
            OrgUnit.objects.bulk_update(
                self.dirty,
                ["name", "valid_to", "latitude", "longitude", "division_type", "search_key"],
                batch_size=2000,
            )
        self.pending, self.dirty = [], []


@transaction.atomic
def load_real_tree() -> LoadReport:
    report = LoadReport()
    reg = _Registry(report)
    db = sqlite3.connect(_vau_dir() / "dataset.db")
    db.row_factory = sqlite3.Row

    nation = reg.upsert(
        UnitKind.NATION, NATION_CODE, "Việt Nam", EPOCH, None, "quốc gia", 16.0, 106.0
    )

    # --- current tree -------------------------------------------------------------------
    # The two packages disagree on some current commune codes (renumbered after 7/2025):
    # vietnam-provinces is the reference for codes, so vietnamadminunits rows are matched to it
    # by province and name first, and by code only when the name does not match.
    divisions = _current_divisions()
    by_name = {
        (f"{p['code']:02d}", fold(w["name"])): f"{w['code']:05d}"
        for p in divisions
        for w in p["wards"]
    }
    vp_codes = set(by_name.values())

    def vp_code(row: sqlite3.Row) -> str | None:
        hit = by_name.get((row["provinceCode"], fold(row["ward"])))
        return hit or (row["wardCode"] if row["wardCode"] in vp_codes else None)

    coords = {
        vp_code(r): (r["wardLat"], r["wardLon"])
        for r in db.execute(
            "SELECT provinceCode, ward, wardCode, wardLat, wardLon FROM admin_units"
        )
    }
    prov_coords = {
        r["provinceCode"]: (r["provinceLat"], r["provinceLon"])
        for r in db.execute(
            "SELECT DISTINCT provinceCode, provinceLat, provinceLon FROM admin_units"
        )
    }
    current_codes: set[str] = set()
    current_provinces: dict[str, OrgUnit] = {}
    current_communes: dict[str, OrgUnit] = {}
    commune_parent: dict[str, str] = {}
    for prov in divisions:
        pcode = f"{prov['code']:02d}"
        current_codes.add(pcode)
        lat, lon = prov_coords.get(pcode, (None, None))
        current_provinces[pcode] = reg.upsert(
            UnitKind.PROVINCE, pcode, prov["name"], EPOCH, None, prov["division_type"], lat, lon
        )
        for ward in prov["wards"]:
            wcode = f"{ward['code']:05d}"
            lat, lon = coords.get(wcode, (None, None))
            current_communes[wcode] = reg.upsert(
                UnitKind.COMMUNE,
                wcode,
                ward["name"],
                REFORM_DATE,
                None,
                ward["division_type"],
                lat,
                lon,
            )
            commune_parent[wcode] = pcode

    # --- legacy tree --------------------------------------------------------------------
    legacy_provinces: dict[str, OrgUnit] = {}
    legacy_districts: dict[str, OrgUnit] = {}
    legacy_communes: dict[str, OrgUnit] = {}
    district_parent: dict[str, str] = {}
    lcommune_parent: dict[str, str] = {}
    legacy_key_to_code: dict[str, tuple[str, str]] = {}  # converter key -> (kind, code)
    prov_key_legacy: dict[str, str] = {}
    for r in db.execute("SELECT * FROM admin_units_legacy"):
        pcode, dcode, wcode = r["provinceCode"], r["districtCode"], r["wardCode"]
        prov_key_legacy[r["provinceKey"]] = pcode
        if pcode not in legacy_provinces:
            if pcode in current_codes:
                legacy_provinces[pcode] = current_provinces[pcode]
            else:
                legacy_provinces[pcode] = reg.upsert(
                    UnitKind.PROVINCE,
                    pcode,
                    r["province"],
                    EPOCH,
                    LEGACY_END,
                    "",
                    r["provinceLat"],
                    r["provinceLon"],
                )
        if dcode not in legacy_districts:
            legacy_districts[dcode] = reg.upsert(
                UnitKind.DISTRICT,
                dcode,
                r["district"],
                EPOCH,
                LEGACY_END,
                r["districtType"] or "",
                r["districtLat"],
                r["districtLon"],
            )
            district_parent[dcode] = pcode
        base_key = f"{r['provinceKey']}_{r['districtKey']}_"
        if wcode is None:
            legacy_key_to_code[base_key] = (UnitKind.DISTRICT, dcode)
            continue
        if wcode not in legacy_communes:
            legacy_communes[wcode] = reg.upsert(
                UnitKind.COMMUNE,
                wcode,
                r["ward"],
                EPOCH,
                LEGACY_END,
                r["wardType"] or "",
                r["wardLat"],
                r["wardLon"],
            )
            lcommune_parent[wcode] = dcode
        legacy_key_to_code[base_key + r["wardKey"]] = (UnitKind.COMMUNE, wcode)
    reg.flush()

    # --- parent links (replaced wholesale for non-school units) --------------------------
    admin_ids = [u.pk for u in reg.by_key.values()]
    UnitParent.objects.filter(child_id__in=admin_ids).delete()
    links: list[UnitParent] = []
    for unit in current_provinces.values():
        links.append(UnitParent(child=unit, parent=nation, valid_from=EPOCH))
    for pcode, unit in legacy_provinces.items():
        if pcode not in current_codes:
            links.append(
                UnitParent(child=unit, parent=nation, valid_from=EPOCH, valid_to=LEGACY_END)
            )
    for wcode, unit in current_communes.items():
        links.append(
            UnitParent(
                child=unit, parent=current_provinces[commune_parent[wcode]], valid_from=REFORM_DATE
            )
        )
    for dcode, unit in legacy_districts.items():
        links.append(
            UnitParent(
                child=unit,
                parent=legacy_provinces[district_parent[dcode]],
                valid_from=EPOCH,
                valid_to=LEGACY_END,
            )
        )
    for wcode, unit in legacy_communes.items():
        links.append(
            UnitParent(
                child=unit,
                parent=legacy_districts[lcommune_parent[wcode]],
                valid_from=EPOCH,
                valid_to=LEGACY_END,
            )
        )
    UnitParent.objects.bulk_create(links, batch_size=5000)

    # --- successor links ----------------------------------------------------------------
    UnitSuccessor.objects.filter(old_id__in=admin_ids).delete()
    conv = json.loads((_vau_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    new_ward_code: dict[tuple[str, str], str] = {
        (r["provinceKey"], r["wardKey"]): vp_code(r) or ""
        for r in db.execute(
            "SELECT provinceKey, provinceCode, ward, wardKey, wardCode FROM admin_units"
        )
    }
    new_prov_code = {
        r["provinceKey"]: r["provinceCode"]
        for r in db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    succ: dict[tuple[int, int], tuple[float, bool]] = {}

    def old_unit(key: str) -> OrgUnit | None:
        hit = legacy_key_to_code.get(key)
        if hit is None:
            return None
        kind, code = hit
        return legacy_communes.get(code) if kind == UnitKind.COMMUNE else legacy_districts.get(code)

    for new_pkey, old_pkeys in conv["DICT_PROVINCE"].items():
        new_unit = current_provinces.get(new_prov_code.get(new_pkey, ""))
        for old_pkey in old_pkeys:
            old = legacy_provinces.get(prov_key_legacy.get(old_pkey, ""))
            if new_unit and old and old.pk != new_unit.pk:
                succ[(old.pk, new_unit.pk)] = (1.0, True)
    for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            new_unit = current_communes.get(new_ward_code.get((new_pkey, new_wkey), ""))
            for key in old_keys:
                old = old_unit(key)
                if new_unit is None or old is None:
                    report.unmapped_converter_keys.append(f"{new_pkey}:{new_wkey}<-{key}")
                    continue
                succ[(old.pk, new_unit.pk)] = (1.0, True)
    for new_pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, targets in olds.items():
            old = old_unit(key)
            looked_up = [
                (current_communes.get(new_ward_code.get((new_pkey, t["newWardKey"]), "")), t)
                for t in targets
            ]
            resolved = [(u, t) for u, t in looked_up if u is not None]
            if old is None or not resolved:
                report.unmapped_converter_keys.append(f"{new_pkey}:{key}")
                continue
            # A split commune's values are shared by the area of the communes it went into:
            # the package gives no population split, and area is the only measure it ships.
            areas = [max(t.get("newWardAreaKm2") or 0.0, 0.01) for _, t in resolved]
            total = sum(areas)
            for (unit, t), area in zip(resolved, areas, strict=True):
                succ[(old.pk, unit.pk)] = (area / total, bool(t.get("isDefaultNewWard")))
    # A legacy district became part of the province(s) its communes went to.
    mapped = {o for (o, _n) in succ}
    for dcode, unit in legacy_districts.items():
        if unit.pk in mapped:
            continue  # island districts map straight to their special zone (đặc khu)
        pcode = district_parent[dcode]
        province = legacy_provinces[pcode]
        target = province if pcode in current_codes else None
        if target is None:
            targets = [n for (o, n) in succ if o == province.pk]
            target_id = targets[0] if targets else None
        else:
            target_id = target.pk
        if target_id is not None:
            succ[(unit.pk, target_id)] = (1.0, True)
    UnitSuccessor.objects.bulk_create(
        [
            UnitSuccessor(old_id=o, new_id=n, weight=w, is_default=d, effective=REFORM_DATE)
            for (o, n), (w, d) in succ.items()
        ],
        batch_size=5000,
    )
    report.successor_links = len(succ)
    report.closure_rows = rebuild_closure()
    return report
