"""A small, safe expression language over data-element references (no Django import).

    pupils[grade=1|2|3;sex=f] + 2 * classes - staff[role=teacher]@-1

A reference is an element code with an optional combo filter in brackets (dims separated by
';', alternatives by '|') and an optional period offset '@-N' (N steps back, e.g. the grade-1
intake four school years before for a completion rate). Arithmetic: + - * / and parentheses,
numbers. Parsed with Python's ast after replacing references by placeholders, then checked
against a whitelist of node types, so nothing but arithmetic can run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

_REF = re.compile(r"([a-z][a-z0-9_]*)(?:\[([^\]]*)\])?(?:@(-?\d+))?")
_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Constant,
    ast.Name,
    ast.Load,
)


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Ref:
    element: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    offset: int = 0

    def matches(self, combo: Mapping[str, str]) -> bool:
        return all(combo.get(dim) in opts for dim, opts in self.filters)

    @property
    def dims(self) -> set[str]:
        return {d for d, _ in self.filters}


def _parse_filters(text: str | None, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not text:
        return ()
    out = []
    for part in text.split(";"):
        dim, sep, opts = part.partition("=")
        dim, opts = dim.strip(), opts.strip()
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]*", dim) or not opts:
            raise ExpressionError(f"bộ lọc '{part}' trong '{source}' phải có dạng chiều=giá_trị")
        values = tuple(o.strip() for o in opts.split("|"))
        if not all(re.fullmatch(r"[A-Za-z0-9_]+", v) for v in values):
            raise ExpressionError(f"giá trị lọc không hợp lệ trong '{source}'")
        out.append((dim, values))
    return tuple(sorted(out))


@dataclass(frozen=True)
class Expression:
    source: str
    refs: tuple[Ref, ...]
    _tree: ast.Expression

    def evaluate(self, resolve: Callable[[Ref], float | None]) -> float | None:
        """Evaluate; a reference resolving to None makes the whole result None (no data)."""
        values = []
        for ref in self.refs:
            v = resolve(ref)
            if v is None:
                return None
            values.append(float(v))
        return _eval(self._tree.body, values)


def _eval(node: ast.AST, values: list[float]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(cast(float, node.value))  # parse() admits numeric constants only
    if isinstance(node, ast.Name):
        return values[int(node.id[2:])]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return None if right == 0 else left / right
    raise ExpressionError("biểu thức không hợp lệ")


def parse(source: str, known_elements: set[str] | None = None) -> Expression:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("biểu thức trống")
    if len(source) > 2000:
        raise ExpressionError("biểu thức quá dài")
    refs: list[Ref] = []

    def repl(m: re.Match[str]) -> str:
        ref = Ref(m.group(1), _parse_filters(m.group(2), source), int(m.group(3) or 0))
        if known_elements is not None and ref.element not in known_elements:
            raise ExpressionError(f"chỉ tiêu dữ liệu '{ref.element}' không có trong danh mục")
        refs.append(ref)
        return f"__{len(refs) - 1}"

    text = _REF.sub(repl, source)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"lỗi cú pháp trong biểu thức '{source}'") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"biểu thức '{source}' chứa phần không được phép")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ExpressionError(f"biểu thức '{source}' chứa hằng không phải số")
        if isinstance(node, ast.Name) and not re.fullmatch(r"__\d+", node.id):
            raise ExpressionError(f"tên '{node.id}' không hợp lệ trong '{source}'")
    return Expression(source, tuple(refs), tree)


def combo_key(combo: Mapping[str, str]) -> str:
    """Canonical text of a disaggregation combination: 'grade=1;sex=f' ('' is the total)."""
    return ";".join(f"{k}={combo[k]}" for k in sorted(combo))


def combo_dict(key: str) -> dict[str, str]:
    if not key:
        return {}
    out = {}
    for part in key.split(";"):
        dim, _, opt = part.partition("=")
        out[dim] = opt
    return out
