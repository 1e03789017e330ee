"""PCGD–XMC evaluator: commune rates and levels from a household survey, rolled up to provinces.

Legal basis: NĐ 20/2014/NĐ-CP and TT 07/2016/TT-BGDĐT (thresholds in packs/vn/norms/pcgd.yaml).
The heavy counting is DuckDB SQL in pcgd_sql.py; this module holds the legal logic, which runs on
a few thousand communes and so stays plain Python with exact fractions.

Output of :func:`evaluate` (see docs/norms.md)::

    {"year": Y,
     "communes": {code: {"rates": {name: float | None}, "levels": {...}, "failures": [...]}},
     "provinces": {code: {"levels": {...}}},
     "rejected_rows": [{"row": int, "reason": str}]}
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .packs import PcgdRuleSet, load_pcgd
from .pcgd_sql import SurveyError, count_survey, read_table_file
from .pcgd_synth import generate_survey, write_communes

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "SurveyError",
    "commune_levels",
    "evaluate",
    "generate_survey",
    "main",
    "roll_up",
    "write_communes",
]

Counts = Mapping[str, tuple[int, int]]  # rate -> (numerator, denominator)
# Output order of the standards (evaluation order puts XMC before THCS, its prerequisite).
_OUTPUT_ORDER = ("pcgd_mn5", "pcgd_th", "pcgd_thcs", "xmc")


def _standard_names(rs: PcgdRuleSet) -> list[str]:
    known = [s for s in _OUTPUT_ORDER if s in rs.standards]
    return known + [s for s in rs.standards if s not in known]


def _flag(value: str, where: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "x", "có"):
        return True
    if v in ("0", "false", "no", "", "không"):
        return False
    raise SurveyError(f"{where}: 'difficult' must be 0 or 1, got {value!r}")


def read_communes(path: Path) -> tuple[dict[str, bool], dict[str, str], dict[str, str]]:
    """(commune -> difficult, commune -> province, commune -> legacy district) from the file."""
    rows = read_table_file(Path(path))
    if not rows:
        raise SurveyError(f"{path}: no communes")
    if "commune_code" not in rows[0] or "difficult" not in rows[0]:
        raise SurveyError(
            f"{path}: needs columns commune_code, difficult (found {', '.join(rows[0])})"
        )
    difficult: dict[str, bool] = {}
    province: dict[str, str] = {}
    district: dict[str, str] = {}
    for i, row in enumerate(rows, start=1):
        code = row["commune_code"]
        if not code:
            raise SurveyError(f"{path}: row {i}: empty commune_code")
        if code in difficult:
            raise SurveyError(f"{path}: row {i}: commune_code {code} appears twice")
        difficult[code] = _flag(row["difficult"], f"{path}: row {i}")
        if row.get("province_code"):
            province[code] = row["province_code"]
        if row.get("district_code"):
            district[code] = row["district_code"]
    return difficult, province, district


# --------------------------------------------------------------------------- commune levels


def _failure(standard: str, level: int, criterion: str, num=None, den=None, thr=None) -> dict:
    if thr is None:
        return {"standard": standard, "level": level, "criterion": criterion,
                "rate": None, "threshold": None, "short_by_people": None}  # fmt: skip
    return {
        "standard": standard,
        "level": level,
        "criterion": criterion,
        "rate": round(num / den, 6),
        "threshold": float(thr / 100),
        # People who would have to move into the numerator (the denominator held fixed).
        "short_by_people": math.ceil(thr * den / 100) - num,
    }


def commune_levels(rs: PcgdRuleSet, counts: Counts, difficult: bool) -> tuple[dict, list[dict]]:
    """Levels reached for every standard and the failures of the next level up.

    Level N needs every criterion of N and level N-1; prerequisites of other standards
    (THCS mức 1 needs TH mức 1 + XMC mức 1) are listed as failures of their own. A rate whose
    denominator is 0 (nobody of that age) is met: there is nobody left to universalise.
    """
    levels: dict[str, int] = {}
    failures: list[dict] = []
    for sname, std in rs.standards.items():
        reached = 0
        for lvl in std.levels:
            fails = []
            for req_std, req_level in lvl.requires:
                if levels.get(req_std, 0) < req_level:
                    fails.append(
                        _failure(sname, lvl.level, f"requires {req_std} level {req_level}")
                    )
            for crit in lvl.criteria:
                rate, thr = crit.for_commune(difficult)
                num, den = counts.get(rate, (0, 0))
                if den and num * 100 < thr * den:  # exact: Fraction thresholds, integer counts
                    fails.append(_failure(sname, lvl.level, rate, num, den, thr))
            if fails:
                failures.extend(fails)
                break
            reached = lvl.level
        levels[sname] = reached
    return {s: levels[s] for s in _standard_names(rs)}, failures


def _no_data(rs: PcgdRuleSet) -> tuple[dict, list[dict]]:
    # A commune in the communes file without a single valid survey row cannot be recognised.
    names = _standard_names(rs)
    return dict.fromkeys(names, 0), [_failure(s, 1, "no_survey_data") for s in names]


# --------------------------------------------------------------------------- roll-up


def _unit_level(rs: PcgdRuleSet, standard: str, member_levels: list[int]) -> int:
    """Highest N such that, for every n <= N, the share of members at level >= n meets the rule."""
    total = len(member_levels)
    if not total:
        return 0
    reached = 0
    for n, share in sorted(rs.units_needed[standard].items()):
        meeting = sum(1 for lv in member_levels if lv >= n)
        if meeting * 100 < share * total:
            break
        reached = n
    return reached


def roll_up(
    rs: PcgdRuleSet,
    commune_levels_: Mapping[str, Mapping[str, int]],
    commune_province: Mapping[str, str],
    commune_district: Mapping[str, str] | None = None,
) -> dict[str, dict]:
    """Province levels by the share-of-units rule (NĐ 20/2014: units needed per standard/level).

    Without a district mapping the units of a province are its communes (the tree since 1/7/2025).
    With one, communes roll up to legacy districts and districts to the province, each step by the
    same share rule, as before the reform. Communes with no province are left out.
    """
    members: dict[str, dict[str, list]] = {}
    if commune_district:
        districts: dict[str, list[str]] = {}
        for code in commune_levels_:
            if code in commune_district:
                districts.setdefault(commune_district[code], []).append(code)
        district_levels = {
            d: {s: _unit_level(rs, s, [commune_levels_[c][s] for c in codes]) for s in rs.standards}
            for d, codes in districts.items()
        }
        district_province: dict[str, str] = {}
        for code, d in commune_district.items():
            if code in commune_province:
                district_province.setdefault(d, commune_province[code])
        for d, dlv in district_levels.items():
            if d in district_province:
                members.setdefault(district_province[d], {}).setdefault("units", []).append(dlv)
    else:
        for code, lv in commune_levels_.items():
            if code in commune_province:
                members.setdefault(commune_province[code], {}).setdefault("units", []).append(lv)
    return {
        prov: {
            "levels": {
                s: _unit_level(rs, s, [u[s] for u in m["units"]]) for s in _standard_names(rs)
            }
        }
        for prov, m in sorted(members.items())
    }


# --------------------------------------------------------------------------- evaluate


def evaluate(
    survey_path: str | Path,
    communes_path: str | Path,
    year: int,
    commune_province: Mapping[str, str] | None = None,
    commune_district: Mapping[str, str] | None = None,
    *,
    check_duplicates: bool = True,
    rule_set: PcgdRuleSet | None = None,
) -> dict[str, Any]:
    """Evaluate a PCGD–XMC household survey (CSV, XLSX or Parquet) for survey year ``year``.

    Age is ``year - birth_year`` (reference date 30/9/year). Province codes come from
    ``commune_province``, else from a ``province_code`` column of the communes file; legacy
    district codes likewise from ``commune_district`` or a ``district_code`` column. The first
    digits of a commune code are never used: they do not identify the province after 2025.
    """
    rs = rule_set or load_pcgd().for_survey_year(year)
    difficult, file_province, file_district = read_communes(Path(communes_path))
    province = dict(commune_province) if commune_province is not None else file_province
    district = dict(commune_district) if commune_district is not None else file_district
    sc = count_survey(Path(survey_path), difficult, year, rs, check_duplicates=check_duplicates)

    communes: dict[str, dict] = {}
    levels_by_code: dict[str, dict[str, int]] = {}
    for code in sorted(difficult):
        rates: dict[str, float | None]
        counts = sc.counts.get(code)
        if counts is None:
            levels, failures = _no_data(rs)
            rates = {name: None for name in rs.rates}
        else:
            levels, failures = commune_levels(rs, counts, difficult[code])
            rates = {name: (round(n / d, 6) if d else None) for name, (n, d) in counts.items()}
        communes[code] = {"rates": rates, "levels": levels, "failures": failures}
        levels_by_code[code] = levels
    return {
        "year": year,
        "communes": communes,
        "provinces": roll_up(rs, levels_by_code, province, district or None),
        "rejected_rows": sc.rejected,
    }


# --------------------------------------------------------------------------- CLI

_SHORT = {"pcgd_mn5": "MN5", "pcgd_th": "TH", "pcgd_thcs": "THCS", "xmc": "XMC"}


def share_text(value: float | None) -> str:
    """A share 0..1 as the PCGD pages and tables print it: "95,0%" ("-" when unknown)."""
    from tongket.core.vntext import format_percent  # pure module; Vietnamese 95,0%

    return "-" if value is None else format_percent(value * 100, 1)


def render_table(result: dict, out: SupportsWrite[str], max_rejected: int = 20) -> None:
    """A plain-text table for people: one line per commune, then failures, provinces, rejects."""
    std_names = (
        list(next(iter(result["communes"].values()))["levels"]) if result["communes"] else []
    )
    heads = [_SHORT.get(s, s) for s in std_names]
    out.write(f"PCGD–XMC năm {result['year']} (số liệu đến 30/9/{result['year']})\n\n")
    out.write(f"{'Xã':<10}" + "".join(f"{h:>6}" for h in heads) + "  Chưa đạt mức tiếp theo\n")
    for code, c in result["communes"].items():
        short = [
            f"{f['standard']}.{f['level']}:{f['criterion']}"
            + (f" {share_text(f['rate'])}<{share_text(f['threshold'])} (thiếu {f['short_by_people']})" if f["threshold"] is not None else "")
            for f in c["failures"]
        ]  # fmt: skip
        levels = "".join(f"{c['levels'][s]:>6}" for s in std_names)
        out.write(f"{code:<10}{levels}  {'; '.join(short[:3])}{' ...' if len(short) > 3 else ''}\n")
    if result["provinces"]:
        out.write(f"\n{'Tỉnh':<10}" + "".join(f"{h:>6}" for h in heads) + "\n")
        for code, p in result["provinces"].items():
            out.write(f"{code:<10}" + "".join(f"{p['levels'][s]:>6}" for s in std_names) + "\n")
    rej = result["rejected_rows"]
    out.write(f"\nDòng bị loại: {len(rej)} (số dòng dữ liệu, không tính dòng tiêu đề)\n")
    for r in rej[:max_rejected]:
        out.write(f"  dòng {r['row']}: {r['reason']}\n")
    if len(rej) > max_rejected:
        out.write(f"  ... và {len(rej) - max_rejected} dòng khác (dùng --json để xem đủ)\n")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tongket pcgd", description="Phổ cập giáo dục – xóa mù chữ")
    sub = p.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="evaluate a household survey")
    ev.add_argument("--survey", required=True, help="survey CSV, XLSX or Parquet")
    ev.add_argument(
        "--communes",
        required=True,
        help="communes CSV/XLSX: commune_code, difficult[, province_code]",
    )
    ev.add_argument("--year", required=True, type=int, help="survey year (reference date 30/9)")
    ev.add_argument("--json", action="store_true", help="print the JSON result")
    ev.add_argument(
        "--no-duplicate-check", action="store_true", help="skip the person_id duplicate check"
    )
    gen = sub.add_parser("generate", help="write a synthetic survey (demo, bench)")
    gen.add_argument("--communes", type=int, default=20, help="number of communes")
    gen.add_argument("--people", type=int, default=2000, help="people per commune")
    gen.add_argument("--year", type=int, required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True, help="survey file (.csv or .parquet)")
    gen.add_argument("--communes-out", required=True, help="communes CSV to write")
    return p


def main(argv: list[str] | None = None, stdout: SupportsWrite[str] | None = None) -> int:
    """``tongket pcgd evaluate --survey F --communes F --year Y [--json]``; returns an exit code."""
    out = stdout or sys.stdout
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["pcgd"]:  # accept the argv of the top-level `tongket` command as well
        args_in = args_in[1:]
    args = _parser().parse_args(args_in)
    try:
        if args.command == "generate":
            codes = [f"{i + 1:05d}" for i in range(args.communes)]
            generate_survey(codes, args.people, args.year, args.seed, path=args.out)
            write_communes(args.communes_out, codes)
            out.write(f"{args.out}: {args.communes * args.people} người, {args.communes} xã\n")
            return 0
        result = evaluate(
            args.survey, args.communes, args.year, check_duplicates=not args.no_duplicate_check
        )
    except (SurveyError, ValueError) as exc:
        out.write(f"lỗi: {exc}\n")
        return 2
    if args.json:
        json.dump(result, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        render_table(result, out)
    return 0


if __name__ == "__main__":  # python -m tongket.norms.calc.pcgd evaluate ...
    raise SystemExit(main())
