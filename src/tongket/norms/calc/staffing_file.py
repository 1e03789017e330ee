"""The staffing calculator as a contract: a CSV or XLSX of schools in, one JSON object out.

``tongket norms staffing evaluate --schools FILE --date YYYY-MM-DD [--json]``

One row per school and level (columns in docs/norms.md, section 1.1). The rule set is the one in
force on ``--date`` (packs/vn/norms/staffing.yaml). Every row is checked; a bad row is listed in
``rejected_rows`` with its reasons (1-based data rows, header excluded) and never counted. An
unreadable file, a missing column or an unknown ``teachers_*`` column stops everything
(:class:`StaffingFileError`, exit code 2): a typo in a column name must not silently drop
teachers. Pure Python over the pure calculator; the management command only calls :func:`main`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tongket.core.vntext import format_date, format_number, parse_date

from .packs import GeneralLevelNorm, PackError, StaffingPack, load_staffing
from .staffing import (
    GENERAL_LEVELS,
    LEVEL_LABELS,
    PRESCHOOL_LEVELS,
    TOTAL,
    LevelInput,
    LevelResult,
    SchoolInput,
    SchoolResult,
    compute_school,
)
from .staffing_totals import subject_balances, summarize, summary_sentences

REQUIRED_COLUMNS = ("school_code", "level", "classes", "pupils", "region", "teachers_actual")
FLAG_COLUMNS = ("mountain_island", "boarding", "special", "chuyen")
SCHOOL_COLUMNS = ("region", *FLAG_COLUMNS)  # must agree on every row of one school
LEVELS = (*PRESCHOOL_LEVELS, *GENERAL_LEVELS)
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # "1.200" written the Vietnamese way


class StaffingFileError(ValueError):
    """The file cannot be used at all (as opposed to a bad row): exit code 2."""


# --------------------------------------------------------------------------- columns


def band_columns(pack: StaffingPack) -> dict[str, tuple[str, str, str]]:
    """{column: (level, band, "units"|"children")} from the pack's preschool age bands:
    nhà trẻ groups ``groups_3_12m``, mẫu giáo classes ``classes_3_4y``, children ``children_*``."""
    out: dict[str, tuple[str, str, str]] = {}
    for rs in pack.rule_sets:
        for level, norm in rs.levels.items():
            if level not in PRESCHOOL_LEVELS:
                continue
            for band in getattr(norm, "max_children", {}):
                slug = band.replace("-", "_")
                unit = "groups" if level == "nha_tre" else "classes"
                out[f"{unit}_{slug}"] = (level, band, "units")
                out[f"children_{slug}"] = (level, band, "children")
    return out


def subject_columns(pack: StaffingPack) -> dict[str, set[str]]:
    """{teachers_<subject>: general levels that teach it} from the curriculum periods and the
    extra posts (Tổng phụ trách Đội) of the pack."""
    out: dict[str, set[str]] = {}
    for level, grades in pack.subject_periods.items():
        for subjects in grades.values():
            for s in subjects:
                out.setdefault(f"teachers_{s}", set()).add(level)
    for rs in pack.rule_sets:
        for level, norm in rs.levels.items():
            if isinstance(norm, GeneralLevelNorm):
                for post in norm.extra_posts:
                    out.setdefault(f"teachers_{post}", set()).add(level)
    return out


# --------------------------------------------------------------------------- reading


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # Excel stores 12 as 12.0
    return str(v).strip()


def read_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """(header, data rows as text) of a CSV (``,`` ``;`` or tab, UTF-8, BOM allowed) or the
    first sheet of an XLSX."""
    p = Path(path)
    if not p.is_file():
        raise StaffingFileError(f"không mở được tệp {p}: không có tệp này")
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl  # only XLSX input needs it

            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
            try:
                table = [
                    [_cell(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)
                ]
            finally:
                wb.close()
        elif suffix in (".csv", ".txt", ".tsv"):
            text = p.read_text(encoding="utf-8-sig")
            first = text.split("\n", 1)[0]
            delim = max((",", ";", "\t"), key=first.count)
            table = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
        else:
            raise StaffingFileError(f"{p.name}: chỉ đọc được tệp CSV hoặc XLSX")
    except StaffingFileError:
        raise
    except UnicodeDecodeError as exc:
        raise StaffingFileError(f"{p.name}: không phải văn bản UTF-8 ({exc.reason})") from exc
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise StaffingFileError(f"{p.name}: không đọc được tệp ({exc})") from exc
    if not table or not any(table[0]):
        raise StaffingFileError(f"{p.name}: tệp trống, không có dòng tiêu đề")
    header = [h.strip().lower() for h in table[0]]
    while header and not header[-1]:  # trailing empty header cells (XLSX)
        header.pop()
    return header, table[1:]


def _check_header(header: list[str], pack: StaffingPack, name: str) -> None:
    dup = sorted({h for h in header if h and header.count(h) > 1})
    if dup:
        raise StaffingFileError(f"{name}: cột lặp lại: {', '.join(dup)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise StaffingFileError(f"{name}: thiếu cột bắt buộc: {', '.join(missing)}")
    known = subject_columns(pack)
    unknown = sorted(
        h for h in header if h.startswith("teachers_") and h != "teachers_actual" and h not in known
    )
    if unknown:
        raise StaffingFileError(
            f"{name}: cột giáo viên theo môn không có trong bộ định mức: {', '.join(unknown)} "
            f"(các môn: {', '.join(sorted(c.removeprefix('teachers_') for c in known))})"
        )


def _int(text: str, what: str, errors: list[str], default: int | None = None) -> int | None:
    t = text.strip().replace(" ", "")
    if not t:
        if default is None:
            errors.append(f"thiếu {what}")
        return default
    if _THOUSANDS.match(t):
        t = t.replace(".", "")
    if not (t.isascii() and t.isdigit()):  # "²", "٣" are digits to str.isdigit, not counts
        errors.append(f"{what} '{text}' không phải số nguyên không âm")
        return None
    return int(t)


def _flag(text: str, what: str, errors: list[str]) -> bool:
    t = text.strip()
    if t in ("", "0"):
        return False
    if t == "1":
        return True
    errors.append(f"{what} '{text}' phải là 0 hoặc 1")
    return False


# --------------------------------------------------------------------------- rows -> inputs


def _parse_row(
    rec: Mapping[str, str], on: dt.date, pack: StaffingPack, bands, subjects
) -> tuple[dict, list[str]]:
    """One data row -> (parsed fields, reasons it is rejected)."""
    errs: list[str] = []
    code = rec.get("school_code", "").strip()
    if not code:
        errs.append("thiếu mã trường (school_code)")
    level = rec.get("level", "").strip().lower()
    if level not in LEVELS:
        errs.append(f"cấp học '{rec.get('level', '')}' không hợp lệ (dùng {', '.join(LEVELS)})")
    classes = _int(rec.get("classes", ""), "số lớp (classes)", errs)
    if classes == 0:
        errs.append("số lớp (classes) bằng 0")
    pupils = _int(rec.get("pupils", ""), "số học sinh (pupils)", errs)
    two = _int(rec.get("two_session_classes", ""), "số lớp 2 buổi/ngày", errs, default=-1)
    if two is not None and classes and two > classes:
        errs.append(f"số lớp 2 buổi/ngày ({two}) lớn hơn số lớp ({classes})")
    region_text = rec.get("region", "").strip()
    if region_text not in ("1", "2", "3"):
        errs.append(f"vùng (region) '{region_text}' phải là 1, 2 hoặc 3")
    flags = {f: _flag(rec.get(f, ""), f, errs) for f in FLAG_COLUMNS}
    actual = _int(rec.get("teachers_actual", ""), "số giáo viên hiện có (teachers_actual)", errs)
    units: dict[str, int] = {}
    children: dict[str, int] = {}
    for col, (blevel, band, kind) in bands.items():
        n = _int(rec.get(col, ""), col, errs, default=0)
        if not n:
            continue
        if blevel != level:
            errs.append(f"cột {col} chỉ dùng cho {LEVEL_LABELS[blevel]}")
        else:
            (units if kind == "units" else children)[band] = n
    if units and classes and sum(units.values()) != classes:
        errs.append(
            f"tổng số {'nhóm' if level == 'nha_tre' else 'lớp'} theo độ tuổi "
            f"({sum(units.values())}) khác số lớp (classes = {classes})"
        )
    by_subject: dict[str, int] = {}
    for col, levels in subjects.items():
        raw = rec.get(col, "")
        if not raw.strip():
            continue
        n = _int(raw, col, errs)
        if n is None:
            continue
        if level in LEVELS and level not in levels:
            if n:
                errs.append(f"môn {col.removeprefix('teachers_')} không có ở {LEVEL_LABELS[level]}")
            continue
        by_subject[col.removeprefix("teachers_")] = n
    if by_subject and actual is not None and sum(by_subject.values()) != actual:
        errs.append(
            f"tổng giáo viên theo môn ({sum(by_subject.values())}) khác số giáo viên hiện có "
            f"(teachers_actual = {actual})"
        )
    if level in LEVELS:
        kind = "preschool" if level in PRESCHOOL_LEVELS else "general"
        try:
            rs = pack.rule_set(kind, on)
            if level not in rs.levels:
                errs.append(f"bộ định mức {rs.id} không có định mức cho {LEVEL_LABELS[level]}")
        except PackError:
            errs.append(
                f"không có định mức {LEVEL_LABELS[level]} có hiệu lực ngày {format_date(on)}"
            )
    fields = {
        "code": code,
        "level": level,
        "classes": classes,
        "pupils": pupils,
        "two": None if two == -1 else two,
        "region": int(region_text) if region_text in ("1", "2", "3") else None,
        **flags,
        "actual": actual,
        "units": units,
        "children": children,
        "subjects": by_subject,
    }
    return fields, errs


def _level_input(f: dict) -> LevelInput:
    teachers = f["subjects"] or {TOTAL: f["actual"]}
    return LevelInput(
        f["level"],
        f["units"] or f["classes"],
        pupils=f["pupils"],
        sessions_per_day=2,
        teachers=teachers,
        children_by_band=f["children"] or None,
        two_session_classes=f["two"],
    )


def _level_json(lr: LevelResult) -> dict:
    by = subject_balances(lr)
    out = {
        "required": lr.required,
        "actual": lr.actual,
        "balance": lr.balance,
        "shortage": -sum(v for v in by.values() if v < 0),
        "surplus": sum(v for v in by.values() if v > 0),
        "rule_set": lr.rule_set,
        "explanation": list(lr.explanation),
    }
    if lr.balance_by_subject:
        out["subjects"] = {
            k: {
                "required": lr.required_by_subject.get(k, 0),
                "actual": lr.actual_by_subject.get(k, 0),
                "balance": v,
            }
            for k, v in lr.balance_by_subject.items()
        }
    return out


def evaluate_rows(
    header: list[str], rows: list[list[str]], on: dt.date, pack: StaffingPack | None = None
) -> dict:
    """The JSON result for a header and data rows already read (see :func:`evaluate`)."""
    pack = pack or load_staffing()
    _check_header(header, pack, "tệp trường")
    bands, subjects = band_columns(pack), subject_columns(pack)
    rejected: list[dict] = []
    accepted: dict[str, list[tuple[int, dict]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for i, cells in enumerate(rows, start=1):
        if not any(c.strip() for c in cells):
            continue  # a blank line: nothing to count, nothing to reject
        errs: list[str] = []
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errs.append(f"dòng có {len(cells)} ô, tiêu đề có {len(header)} cột")
        rec = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        fields, more = _parse_row(rec, on, pack, bands, subjects)
        errs += more
        key = (fields["code"], fields["level"])
        if not errs and key in seen:
            errs.append(f"trùng trường {key[0]}, cấp {key[1]} với dòng {seen[key]}")
        if not errs:
            first = accepted.get(fields["code"], [])
            for col in SCHOOL_COLUMNS:
                if first and first[0][1][col] != fields[col]:
                    errs.append(f"{col} khác với dòng {first[0][0]} của cùng trường")
        if errs:
            rejected.append({"row": i, "reason": "; ".join(errs)})
            continue
        seen[key] = i
        accepted.setdefault(fields["code"], []).append((i, fields))
    results: list[SchoolResult] = []
    schools: dict[str, dict] = {}
    for code, rows_of in accepted.items():
        f0 = rows_of[0][1]
        school = SchoolInput(
            code,
            tuple(_level_input(f) for _, f in rows_of),
            region=f0["region"],
            mountain_island=f0["mountain_island"],
            boarding=f0["boarding"],
            special=f0["special"],
            chuyen=f0["chuyen"],
        )
        try:
            res = compute_school(school, on, pack)
        except ValueError as exc:  # never half-counted: the whole school is left out
            rejected += [{"row": i, "reason": f"không tính được: {exc}"} for i, _ in rows_of]
            continue
        results.append(res)
        entry: dict[str, Any] = {
            "levels": {lv: _level_json(lr) for lv, lr in res.levels.items()},
            "explanation": list(res.explanation),
        }
        if res.vice_principals_required is not None:
            entry["vice_principals_required"] = res.vice_principals_required
        schools[code] = entry
    summary = summarize(results)
    totals = {
        lv: {
            "required": b.required,
            "actual": b.actual,
            "balance": b.balance,
            "shortage": b.shortage,
            "surplus": b.surplus,
            "schools": b.schools,
        }
        for lv, b in summary.levels.items()
    }
    rejected.sort(key=lambda r: r["row"])
    return {
        "date": on.isoformat(),
        "schools": schools,
        "totals": totals,
        "sentences": summary_sentences(summary, pack.subject_labels),
        "rejected_rows": rejected,
    }


def evaluate(path: str | Path, on: dt.date, pack: StaffingPack | None = None) -> dict:
    """Evaluate a CSV/XLSX of schools on ``on``; raises StaffingFileError if the file is unusable.

    ``{"date", "schools": {code: {"levels": {level: {required, actual, balance, shortage,
    surplus, rule_set, explanation[, subjects]}}, "explanation"[, "vice_principals_required"]}},
    "totals": {level: {required, actual, balance, shortage, surplus, schools}}, "sentences",
    "rejected_rows": [{row, reason}]}``
    """
    header, rows = read_rows(path)
    try:
        return evaluate_rows(header, rows, on, pack)
    except StaffingFileError as exc:
        raise StaffingFileError(str(exc).replace("tệp trường", Path(path).name, 1)) from exc


# --------------------------------------------------------------------------- CLI


def render_text(result: dict, out, max_rejected: int = 20) -> None:
    """The result for people: one line per school and level, the totals, the sentences."""
    n = format_number
    on = dt.date.fromisoformat(result["date"])
    out.write(f"Định mức giáo viên theo văn bản có hiệu lực ngày {format_date(on)}\n\n")
    out.write(
        f"{'Trường':<12}{'Cấp học':<10}{'Cần':>7}{'Có':>7}{'Thiếu':>7}{'Thừa':>7}  Bộ quy tắc\n"
    )
    for code, s in result["schools"].items():
        for lv, r in s["levels"].items():
            out.write(
                f"{code:<12}{LEVEL_LABELS[lv]:<10}{n(r['required']):>7}{n(r['actual']):>7}"
                f"{n(r['shortage']):>7}{n(r['surplus']):>7}  {r['rule_set']}\n"
            )
    if result["totals"]:
        out.write("\nCộng theo cấp học (thiếu, thừa cộng từng trường, từng môn):\n")
        for lv, t in result["totals"].items():
            out.write(
                f"{'':<12}{LEVEL_LABELS[lv]:<10}{n(t['required']):>7}{n(t['actual']):>7}"
                f"{n(t['shortage']):>7}{n(t['surplus']):>7}  cân đối {n(t['balance'])}\n"
            )
    if result["sentences"]:
        out.write("\n" + "\n".join(result["sentences"]) + "\n")
    rej = result["rejected_rows"]
    out.write(f"\nDòng bị loại: {n(len(rej))} (số dòng dữ liệu, không tính dòng tiêu đề)\n")
    for r in rej[:max_rejected]:
        out.write(f"  dòng {r['row']}: {r['reason']}\n")
    if len(rej) > max_rejected:
        out.write(f"  ... và {n(len(rej) - max_rejected)} dòng khác (dùng --json để xem đủ)\n")


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tongket norms staffing", description="Định mức giáo viên")
    sub = p.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="tính định mức cho một tệp trường (CSV, XLSX)")
    ev.add_argument("--schools", required=True, help="tệp CSV/XLSX, cột: docs/norms.md mục 1.1")
    ev.add_argument("--date", required=True, type=_date, help="ngày áp dụng (YYYY-MM-DD)")
    ev.add_argument("--json", action="store_true", help="in kết quả JSON")
    return p


def main(argv: list[str] | None = None, stdout=None) -> int:
    """``tongket norms staffing evaluate --schools F --date D [--json]``; returns an exit code
    (2: unreadable file, missing column, bad arguments)."""
    out = stdout or sys.stdout
    args_in = list(sys.argv[1:] if argv is None else argv)
    for word in ("norms", "staffing"):  # accept the top-level `tongket` argv as well
        if args_in[:1] == [word]:
            args_in = args_in[1:]
    try:
        args = _parser().parse_args(args_in)
    except SystemExit as exc:  # argparse already printed why
        return int(exc.code or 0)
    try:
        result = evaluate(args.schools, args.date)
    except StaffingFileError as exc:
        out.write(f"lỗi: {exc}\n")
        return 2
    if args.json:
        json.dump(result, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        render_text(result, out)
    return 0


if __name__ == "__main__":  # python -m tongket.norms.calc.staffing_file evaluate ...
    raise SystemExit(main())
