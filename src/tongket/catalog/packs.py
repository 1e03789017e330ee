"""Read and check a catalog pack (YAML) into plain data; no Django import.

Every problem is reported with its file, line and what is wrong, so a pack author can fix a
new circular's forms without reading code. The checked pack is a `Pack` of plain dataclasses
that the loader (catalog.actions) writes to the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from tongket.core import expr

VALUE_TYPES = {"count", "percent", "money", "boolean"}
AGGREGATIONS = {"sum", "max", "none"}
DERIVED_SOURCES = {"", "tree", "register"}  # see Element.derived
SEVERITIES = {"error", "warning"}
OPERATORS = {"<=", "<", ">=", ">", "==", "!="}
PERIOD_KINDS = {"school_year", "semester", "quarter", "month", "year"}
LEVELS = {"MN", "TH", "THCS", "THPT", "GDTX", "COMMUNE"}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class PackIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackError(ValueError):
    def __init__(self, issues: list[PackIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping under the key '__line__'."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Dimension:
    code: str
    name_vi: str
    name_en: str
    options: dict[str, str]
    source: str


@dataclass(frozen=True)
class Element:
    code: str
    name_vi: str
    name_en: str
    value_type: str
    aggregation: str
    dims: tuple[str, ...]
    source: str
    # "" for an element typed into forms; "tree" or "register" for one the system derives
    # (how a school counts, national-standard schools: tongket.core.definitions)
    derived: str = ""


@dataclass(frozen=True)
class Cell:
    """One input box of a form: element x combo, with its place on paper."""

    section: str
    row_code: str
    row_label: str
    column: int
    column_label: str
    element: str
    combo: str
    computed: bool  # a total row, summed by the system from the rows below it


@dataclass(frozen=True)
class Form:
    code: str
    version: str
    name_vi: str
    name_en: str
    round: str
    period_kind: str
    levels: tuple[str, ...]
    source: str
    layout: dict  # sections with rows and columns, expanded, as shown on screen and in Excel
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    numerator: str
    denominator: str | None
    factor: float
    unit: str
    direction: str
    source: str
    decimals: int | None = None  # shown with; None: the unit's (core.definitions.DECIMALS)


@dataclass(frozen=True)
class Rule:
    code: str
    left: str
    op: str
    right: str
    severity: str
    message_vi: str
    message_en: str
    source: str


@dataclass
class Pack:
    name: str
    version: str
    title: str
    source: str
    checksum: str
    max_combinations_per_form: int
    schedules: dict[str, dict[str, Any]]
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)


class _Checker:
    def __init__(self, root: Path):
        self.root = root
        self.issues: list[PackIssue] = []
        self.digest = hashlib.sha256()

    def load(self, rel: str) -> Any:
        path = self.root / rel
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self.issues.append(PackIssue(rel, 0, "tệp không tồn tại / file missing"))
            return None
        self.digest.update(rel.encode() + b"\0" + raw)
        try:
            return yaml.load(raw.decode("utf-8"), Loader=_LineLoader)
        except UnicodeDecodeError:
            self.issues.append(PackIssue(rel, 0, "tệp không phải UTF-8 / not UTF-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 0
            self.issues.append(
                PackIssue(rel, line, f"YAML không hợp lệ: {getattr(exc, 'problem', exc)}")
            )
        return None

    def err(self, rel: str, node: Any, message: str) -> None:
        line = node.get("__line__", 0) if isinstance(node, dict) else 0
        issue = PackIssue(rel, line, message)
        if issue not in self.issues:  # a row's fault shows once, not once per column
            self.issues.append(issue)

    def need(self, rel: str, node: dict, key: str, kind: type | tuple = str) -> Any:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.err(rel, node, f"thiếu trường '{key}' / missing '{key}'")
            return None
        if not isinstance(value, kind):
            self.err(rel, node, f"trường '{key}' sai kiểu / '{key}' has the wrong type")
            return None
        return value


def check_pack(root: Path | str) -> Pack:
    """Read and validate a pack folder; raise PackError listing every problem found."""
    root = Path(root)
    c = _Checker(root)
    head = c.load("pack.yaml") or {}
    if not isinstance(head, dict):
        raise PackError(
            [PackIssue("pack.yaml", 1, "cần một bảng khoá: giá trị / expected a mapping")]
        )
    pack = Pack(
        name=str(head.get("name", "")),
        version=str(head.get("version", "")),
        title=str(head.get("title", "")),
        source=str(head.get("source", "")),
        checksum="",
        max_combinations_per_form=int(head.get("max_combinations_per_form", 800) or 800),
        schedules={},
    )
    for key in ("name", "version", "source"):
        c.need("pack.yaml", head, key, (str, int, float))
    for name, sched in (head.get("schedules") or {}).items():
        if name == "__line__":
            continue
        for part in ("as_of", "due"):
            value = sched.get(part) if isinstance(sched, dict) else None
            try:
                day, mon = (int(x) for x in str(value).split("/"))
                dt.date(2000, mon, day)
            except (ValueError, TypeError):
                c.err(
                    "pack.yaml",
                    sched,
                    f"lịch '{name}': '{part}' phải là dd/mm, không phải {value!r}",
                )
                continue
        pack.schedules[name] = {k: v for k, v in sched.items() if k != "__line__"}

    _check_dimensions(c, pack)
    _check_elements(c, pack)
    _check_forms(c, pack)
    _check_indicators(c, pack)
    _check_rules(c, pack)
    if c.issues:
        raise PackError(c.issues)
    pack.checksum = c.digest.hexdigest()
    return pack


def _entries(c: _Checker, rel: str, key: str) -> list[dict]:
    data = c.load(rel)
    if data is None:
        return []
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        c.err(
            rel,
            data if isinstance(data, dict) else {},
            f"cần danh sách '{key}' / expected a list '{key}'",
        )
        return []
    seen: dict[str, int] = {}
    out = []
    for item in items:
        if not isinstance(item, dict):
            c.issues.append(PackIssue(rel, 0, f"mục trong '{key}' phải là bảng khoá"))
            continue
        code = item.get("code")
        if not isinstance(code, str) or not code:
            c.err(rel, item, "thiếu 'code' / missing 'code'")
            continue
        if code in seen:
            c.err(rel, item, f"mã '{code}' bị trùng (đã có ở dòng {seen[code]}) / duplicate code")
            continue
        seen[code] = item["__line__"]
        if not str(item.get("source", "")).strip():
            c.err(rel, item, f"'{code}': thiếu căn cứ pháp lý 'source' / missing legal source")
        out.append(item)
    return out


def _check_dimensions(c: _Checker, pack: Pack) -> None:
    rel = "dimensions.yaml"
    for d in _entries(c, rel, "dimensions"):
        opts = d.get("options")
        if not isinstance(opts, dict) or len(opts) <= 1:
            c.err(rel, d, f"'{d['code']}': cần 'options' là bảng mã: nhãn")
            continue
        options = {str(k): str(v) for k, v in opts.items() if k != "__line__"}
        pack.dimensions[d["code"]] = Dimension(
            d["code"],
            str(d.get("name_vi", "")),
            str(d.get("name_en", "")),
            options,
            str(d.get("source", "")),
        )


def _check_elements(c: _Checker, pack: Pack) -> None:
    rel = "elements.yaml"
    for e in _entries(c, rel, "elements"):
        code = e["code"]
        if not CODE_RE.match(code):
            c.err(rel, e, f"mã '{code}' chỉ gồm chữ thường, số và '_'")
            continue
        if e.get("value_type") not in VALUE_TYPES:
            c.err(rel, e, f"'{code}': value_type phải là một trong {sorted(VALUE_TYPES)}")
        if e.get("aggregation") not in AGGREGATIONS:
            c.err(rel, e, f"'{code}': aggregation phải là một trong {sorted(AGGREGATIONS)}")
        dims = e.get("dims") or []
        for dim in dims:
            if dim not in pack.dimensions:
                c.err(rel, e, f"'{code}': chiều phân tổ '{dim}' không có trong dimensions.yaml")
        for lang in ("name_vi", "name_en"):
            c.need(rel, e, lang)
        derived = str(e.get("derived") or "")
        if derived not in DERIVED_SOURCES:
            c.err(rel, e, f"'{code}': derived phải là một trong {sorted(DERIVED_SOURCES)}")
        pack.elements[code] = Element(
            code,
            str(e.get("name_vi", "")),
            str(e.get("name_en", "")),
            str(e.get("value_type")),
            str(e.get("aggregation")),
            tuple(dims),
            str(e.get("source", "")),
            derived,
        )


def _parse_combo(
    c: _Checker, rel: str, node: dict, text: str, pack: Pack, element: str | None
) -> dict | None:
    combo = expr.combo_dict(text or "")
    for dim, opt in combo.items():
        dimension = pack.dimensions.get(dim)
        if dimension is None:
            c.err(rel, node, f"chiều '{dim}' trong '{text}' không tồn tại")
            return None
        if opt not in dimension.options:
            c.err(rel, node, f"giá trị '{opt}' không thuộc chiều '{dim}'")
            return None
        if element and element in pack.elements and dim not in pack.elements[element].dims:
            c.err(rel, node, f"chỉ tiêu '{element}' không phân tổ theo '{dim}'")
            return None
    return combo


def _check_forms(c: _Checker, pack: Pack) -> None:
    forms_dir = c.root / "forms"
    files = sorted(forms_dir.glob("*.yaml")) if forms_dir.is_dir() else []
    if not files:
        c.issues.append(PackIssue("forms/", 0, "không có biểu mẫu nào / no forms"))
    for path in files:
        rel = f"forms/{path.name}"
        f = c.load(rel)
        if not isinstance(f, dict):
            continue
        code = c.need(rel, f, "code")
        for key in ("version", "name_vi", "round", "period_kind", "source"):
            c.need(rel, f, key, (str, int, float))
        if f.get("period_kind") not in PERIOD_KINDS:
            c.err(rel, f, f"period_kind phải là một trong {sorted(PERIOD_KINDS)}")
        if f.get("round") and f["round"] not in pack.schedules:
            c.err(rel, f, f"đợt báo cáo '{f['round']}' không có lịch trong pack.yaml")
        levels = f.get("levels") or []
        if not levels or any(lv not in LEVELS for lv in levels):
            c.err(rel, f, f"levels phải chọn trong {sorted(LEVELS)}")
        if not code:
            continue
        if code in pack.forms:
            c.err(rel, f, f"biểu mẫu '{code}' bị trùng")
            continue
        cells, layout = _expand_form(c, rel, f, pack, _form_level(levels))
        if len(cells) > pack.max_combinations_per_form:
            c.err(
                rel,
                f,
                f"biểu '{code}' tạo {len(cells)} ô, vượt giới hạn "
                f"{pack.max_combinations_per_form} tổ hợp / too many combinations",
            )
        pack.forms[code] = Form(
            code,
            str(f.get("version")),
            str(f.get("name_vi")),
            str(f.get("name_en", "")),
            str(f.get("round")),
            str(f.get("period_kind")),
            tuple(levels),
            str(f.get("source")),
            layout,
            tuple(cells),
        )


def _form_level(levels: list[str]) -> str | None:
    """A single-level school form stamps its level on every cell (see elements.yaml)."""
    school_levels = [lv for lv in levels if lv in {"MN", "TH", "THCS", "THPT", "GDTX"}]
    return school_levels[0] if len(school_levels) == 1 else None


def _expand_form(
    c: _Checker, rel: str, f: dict, pack: Pack, level: str | None
) -> tuple[list[Cell], dict]:
    cells: list[Cell] = []
    seen: dict[tuple[str, str], str] = {}
    layout: dict = {"sections": []}
    for sec in f.get("sections") or []:
        if not isinstance(sec, dict):
            c.issues.append(PackIssue(rel, 0, "mục phải là bảng khoá"))
            continue
        columns = [col for col in sec.get("columns") or [] if isinstance(col, dict)]
        if not columns:
            c.err(rel, sec, f"mục '{sec.get('code')}': thiếu cột")
            continue
        rows_out = []
        for row in sec.get("rows") or []:
            for r in _expand_row(c, rel, row, pack):
                element = r["element"]
                if element not in pack.elements:
                    c.err(rel, row, f"chỉ tiêu '{element}' không có trong elements.yaml")
                    continue
                if pack.elements[element].derived:
                    c.err(rel, row, f"chỉ tiêu '{element}' do hệ thống tính, không nhập trên biểu")
                    continue
                row_combo = _parse_combo(c, rel, row, r.get("combo", ""), pack, element)
                if row_combo is None:
                    continue
                out_cells = []
                for ci, col in enumerate(columns):
                    col_combo = _parse_combo(c, rel, col, str(col.get("key", "")), pack, element)
                    if col_combo is None:
                        continue
                    both = {**row_combo, **col_combo}
                    if level and "level" in pack.elements[element].dims:
                        both.setdefault("level", level)
                    key = expr.combo_key(both)
                    if (element, key) in seen:
                        c.err(rel, row, f"ô {element}[{key}] trùng với dòng {seen[(element, key)]}")
                        continue
                    seen[(element, key)] = r["code"]
                    cell = Cell(
                        str(sec.get("code")),
                        r["code"],
                        r["label"],
                        ci,
                        str(col.get("label")),
                        element,
                        key,
                        bool(r.get("total")),
                    )
                    cells.append(cell)
                    out_cells.append({"element": element, "combo": key, "computed": cell.computed})
                rows_out.append(
                    {
                        "code": r["code"],
                        "label": r["label"],
                        "element": element,
                        "combo": expr.combo_key(row_combo),
                        "total": bool(r.get("total")),
                        "cells": out_cells,
                    }
                )
        layout["sections"].append(
            {
                "code": str(sec.get("code")),
                "title": str(sec.get("title", "")),
                "columns": [str(col.get("label", "")) for col in columns],
                "rows": rows_out,
            }
        )
    return cells, layout


def _expand_row(c: _Checker, rel: str, row: Any, pack: Pack) -> list[dict]:
    if not isinstance(row, dict):
        c.issues.append(PackIssue(rel, 0, "dòng phải là bảng khoá"))
        return []
    if "element" not in row or "label" not in row or "code" not in row:
        c.err(rel, row, "dòng cần 'code', 'label' và 'element'")
        return []
    if "expand" not in row:
        return [{**row, "code": str(row["code"]), "label": str(row["label"])}]
    dim = pack.dimensions.get(row["expand"])
    if dim is None:
        c.err(rel, row, f"expand: chiều '{row['expand']}' không tồn tại")
        return []
    out = []
    base = row.get("combo", "")
    for i, opt in enumerate(row.get("options") or [], start=1):
        opt = str(opt)
        if opt not in dim.options:
            c.err(rel, row, f"giá trị '{opt}' không thuộc chiều '{dim.code}'")
            continue
        combo = f"{row['expand']}={opt}" + (f";{base}" if base else "")
        out.append(
            {
                "code": str(row["code"]).format(i=i),
                "label": str(row["label"]).format(label=dim.options[opt]),
                "element": row["element"],
                "combo": combo,
            }
        )
    return out


def _check_expression(c: _Checker, rel: str, node: dict, key: str, pack: Pack) -> None:
    text = node.get(key)
    if text is None:
        return
    try:
        parsed = expr.parse(str(text), set(pack.elements))
    except expr.ExpressionError as exc:
        c.err(rel, node, f"'{node['code']}'.{key}: {exc}")
        return
    for ref in parsed.refs:
        for dim, opts in ref.filters:
            if dim not in pack.elements[ref.element].dims:
                c.err(
                    rel, node, f"'{node['code']}'.{key}: '{ref.element}' không phân tổ theo '{dim}'"
                )
            elif any(o not in pack.dimensions[dim].options for o in opts):
                c.err(rel, node, f"'{node['code']}'.{key}: giá trị lọc không thuộc chiều '{dim}'")


def _check_indicators(c: _Checker, pack: Pack) -> None:
    rel = "indicators.yaml"
    for i in _entries(c, rel, "indicators"):
        c.need(rel, i, "numerator")
        _check_expression(c, rel, i, "numerator", pack)
        _check_expression(c, rel, i, "denominator", pack)
        try:
            factor = float(i.get("factor", 1))
        except (TypeError, ValueError):
            c.err(rel, i, f"'{i['code']}': factor phải là số")
            factor = 1.0
        if i.get("direction", "up") not in {"up", "down", "none"}:
            c.err(rel, i, f"'{i['code']}': direction phải là up, down hoặc none")
        decimals = i.get("decimals")
        if decimals is not None and (not isinstance(decimals, int) or not 0 <= decimals <= 4):
            c.err(rel, i, f"'{i['code']}': decimals phải là số nguyên từ 0 đến 4")
            decimals = None
        pack.indicators[i["code"]] = Indicator(
            i["code"],
            str(i.get("name_vi", "")),
            str(i.get("name_en", "")),
            str(i.get("numerator", "")),
            i.get("denominator"),
            factor,
            str(i.get("unit", "percent")),
            str(i.get("direction", "up")),
            str(i.get("source", "")),
            decimals,
        )


def _check_rules(c: _Checker, pack: Pack) -> None:
    rel = "validation.yaml"
    for r in _entries(c, rel, "rules"):
        for key in ("left", "right", "message_vi", "message_en"):
            c.need(rel, r, key, (str, int, float))
        _check_expression(c, rel, r, "left", pack)
        _check_expression(c, rel, r, "right", pack)
        if r.get("op") not in OPERATORS:
            c.err(rel, r, f"'{r['code']}': op phải là một trong {sorted(OPERATORS)}")
        if r.get("severity") not in SEVERITIES:
            c.err(rel, r, f"'{r['code']}': severity phải là error hoặc warning")
        pack.rules[r["code"]] = Rule(
            r["code"],
            str(r.get("left")),
            str(r.get("op")),
            str(r.get("right")),
            str(r.get("severity")),
            str(r.get("message_vi", "")),
            str(r.get("message_en", "")),
            str(r.get("source", "")),
        )


def combos_of(element: Element, pack: Pack) -> int:
    """How many combinations an element could have: the cap a form is checked against."""
    sizes = [len(pack.dimensions[d].options) + 1 for d in element.dims]
    return len(list(product(*[range(s) for s in sizes]))) if sizes else 1
