"""A tiny, safe expression language for indicator numerators and denominators.

Indicator packs (YAML) say what a rate is made of, e.g.

    numerator:   pupils_total[sex=female]
    denominator: pupils_total
    numerator:   classes_two_session + 0.5 * classes_mixed - classes_closed
    numerator:   "01.ĐN-MN/r12"[combo=3]

Grammar (whitespace is ignored):

    expr    := ['+' | '-'] term (('+' | '-') term)*
    term    := [NUMBER '*'] factor
    factor  := operand | '(' expr ')'
    operand := CODE ['[' filter (',' filter)* ']']
    filter  := NAME '=' (NAME | NUMBER)
    CODE    := NAME | '"' any characters but '"' and newline '"'
    NAME    := a letter or '_' then letters, digits, '_' and inner dots (Vietnamese letters are fine)

Why a grammar and not eval(): packs are data written by people outside the code review, so
an expression must never be able to run code. Why only sums and differences: a roll-up adds
children's numerators and denominators; that is exact only when they are linear in the
stored values, so division, products of values and bare constants are rejected here, once,
with a message that says where, instead of silently giving wrong provincial figures.

The result is a LinearExpr: a mapping from Operand (element code + combo filter) to a
coefficient, with equal operands merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 2000  # longest expression accepted (no real indicator comes close)
MAX_DEPTH = 16  # parenthesis nesting: bounds recursion so hostile input cannot blow the stack
MAX_OPERANDS = 500

COMBO_KEY = "combo"  # reserved filter key: select disaggregation combinations by id


class ExpressionError(ValueError):
    """An expression that cannot be used, with the position (0-based) and a bilingual message."""

    def __init__(self, text: str, position: int, message_vi: str, message_en: str):
        self.text = text
        self.position = position
        self.message_vi = message_vi
        self.message_en = message_en
        shown = text if len(text) <= 80 else text[:77] + "..."
        super().__init__(
            f"Biểu thức không hợp lệ ở vị trí {position + 1}: {message_vi} "
            f"/ Invalid expression at position {position + 1}: {message_en} — {shown!r}"
        )


@dataclass(frozen=True, order=True)
class Operand:
    """One data element, optionally restricted to combos matching every filter pair."""

    element: str
    filters: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        code = self.element if _NAME_RE.fullmatch(self.element) else f'"{self.element}"'
        if not self.filters:
            return code
        return code + "[" + ", ".join(f"{k}={v}" for k, v in self.filters) + "]"


@dataclass(frozen=True)
class LinearExpr:
    """sum(coefficient * operand); terms are sorted so equal expressions compare equal."""

    terms: tuple[tuple[Operand, float], ...]

    @property
    def operands(self) -> tuple[Operand, ...]:
        return tuple(op for op, _ in self.terms)

    def __str__(self) -> str:
        parts = []
        for i, (op, coef) in enumerate(self.terms):
            sign = "-" if coef < 0 else "+"
            mag = abs(coef)
            body = str(op) if mag == 1 else f"{mag:g} * {op}"
            parts.append((sign + " " if i or sign == "-" else "") + body)
        return " ".join(parts) if parts else "0"


_NAME_RE = re.compile(r"[^\W\d]\w*(?:\.\w+)*")
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[^\W\d]\w*(?:\.\w+)*)
  | (?P<quoted>"[^"\n]{1,200}")
  | (?P<op>[-+*()\[\],=])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # number | name | quoted | op | end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    """Tokens; a character outside the language becomes a 'bad' token that the parser
    reports when it reaches it, so errors come in reading order ("f(" is a call, not "'")."""
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            toks.append(_Tok("bad", text[pos], pos))
            pos += 1
            continue
        kind = m.lastgroup or ""
        if kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


def _bad_char(text: str, tok: _Tok) -> ExpressionError:
    ch = tok.text
    if ch == '"':
        return ExpressionError(
            text, tok.pos, "mã trong ngoặc kép chưa đóng", "unterminated quoted code"
        )
    vi_hint, en_hint = "", ""
    if ch in "/%^":
        # division belongs to the indicator (numerator / denominator), not to a term
        vi_hint = " (chỉ được cộng, trừ; phép chia là tử số / mẫu số của chỉ số)"
        en_hint = " (only + and -; a ratio is the indicator's numerator / denominator)"
    return ExpressionError(
        text,
        tok.pos,
        f"ký tự không được phép {ch!r}{vi_hint}",
        f"character {ch!r} is not allowed{en_hint}",
    )


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.acc: dict[Operand, float] = {}
        self.count = 0

    # -- helpers -----------------------------------------------------------------------------
    @property
    def tok(self) -> _Tok:
        tok = self.toks[self.i]
        if tok.kind == "bad":
            raise _bad_char(self.text, tok)
        return tok

    def fail(self, vi: str, en: str, tok: _Tok | None = None) -> ExpressionError:
        return ExpressionError(self.text, (tok or self.tok).pos, vi, en)

    def describe(self, tok: _Tok) -> tuple[str, str]:
        if tok.kind == "end":
            return "cuối biểu thức", "end of expression"
        return f"'{tok.text}'", f"'{tok.text}'"

    def expect_op(self, op: str) -> None:
        if self.tok.kind == "op" and self.tok.text == op:
            self.i += 1
            return
        vi, en = self.describe(self.tok)
        raise self.fail(f"cần '{op}' nhưng gặp {vi}", f"expected '{op}' but found {en}")

    # -- grammar -----------------------------------------------------------------------------
    def parse(self) -> LinearExpr:
        if self.tok.kind == "end":
            raise self.fail("biểu thức rỗng", "empty expression")
        self.expr(1.0)
        if self.tok.kind != "end":
            vi, en = self.describe(self.tok)
            hint_vi, hint_en = "", ""
            if self.tok.text in ("/", "("):
                hint_vi, hint_en = " (chỉ được cộng, trừ)", " (only + and - are allowed)"
            raise self.fail(f"thừa {vi}{hint_vi}", f"unexpected {en}{hint_en}")
        terms = tuple(sorted((op, c) for op, c in self.acc.items() if c != 0))
        if not terms:
            raise self.fail("các số hạng triệt tiêu nhau", "the terms cancel out", self.toks[0])
        return LinearExpr(terms)

    def expr(self, sign: float) -> None:
        local = sign
        if self.tok.kind == "op" and self.tok.text in "+-":
            if self.tok.text == "-":
                local = -sign
            self.i += 1
        self.term(local)
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            local = sign if self.tok.text == "+" else -sign
            self.i += 1
            self.term(local)

    def term(self, sign: float) -> None:
        coef = 1.0
        if self.tok.kind == "number":
            num_tok = self.tok
            coef = float(num_tok.text)
            self.i += 1
            if not (self.tok.kind == "op" and self.tok.text == "*"):
                raise self.fail(
                    "hằng số đứng một mình không cộng dồn được (chỉ dùng dạng '2 * mã')",
                    "a bare constant cannot be rolled up (use the form '2 * code')",
                    num_tok,
                )
            self.i += 1
        self.factor(sign * coef)

    def factor(self, coef: float) -> None:
        tok = self.tok
        if tok.kind == "op" and tok.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail("lồng ngoặc quá sâu", "parentheses nested too deeply")
            self.i += 1
            self.expr(coef)
            self.expect_op(")")
            self.depth -= 1
            return
        if tok.kind in ("name", "quoted"):
            self.i += 1
            element = tok.text if tok.kind == "name" else tok.text[1:-1]
            if not element.strip():
                raise self.fail("mã rỗng", "empty code", tok)
            filters = self.filters() if self.tok.kind == "op" and self.tok.text == "[" else ()
            nxt = self.tok
            if nxt.kind == "op" and nxt.text in ("(", "*"):
                raise self.fail(
                    "không được gọi hàm hay nhân hai giá trị (chỉ được cộng, trừ)",
                    "function calls and products of values are not allowed (only + and -)",
                    nxt,
                )
            self.count += 1
            if self.count > MAX_OPERANDS:
                raise self.fail("quá nhiều số hạng", "too many terms", tok)
            op = Operand(element, filters)
            self.acc[op] = self.acc.get(op, 0.0) + coef
            return
        vi, en = self.describe(tok)
        raise self.fail(f"cần mã chỉ tiêu nhưng gặp {vi}", f"expected an element code, found {en}")

    def filters(self) -> tuple[tuple[str, str], ...]:
        self.expect_op("[")
        pairs: dict[str, str] = {}
        while True:
            key_tok = self.tok
            if key_tok.kind != "name":
                vi, en = self.describe(key_tok)
                raise self.fail(
                    f"cần tên nhóm phân tổ (vd. sex) nhưng gặp {vi}",
                    f"expected a category name (e.g. sex), found {en}",
                )
            self.i += 1
            self.expect_op("=")
            val_tok = self.tok
            if val_tok.kind not in ("name", "number"):
                vi, en = self.describe(val_tok)
                raise self.fail(
                    f"cần giá trị phân tổ nhưng gặp {vi}", f"expected an option, found {en}"
                )
            if key_tok.text == COMBO_KEY and val_tok.kind != "number":
                raise self.fail("combo phải là số", "combo must be a number", val_tok)
            self.i += 1
            if key_tok.text in pairs and pairs[key_tok.text] != val_tok.text:
                raise self.fail(
                    f"nhóm '{key_tok.text}' được lọc hai lần",
                    f"category '{key_tok.text}' filtered twice",
                    key_tok,
                )
            pairs[key_tok.text] = val_tok.text
            if self.tok.kind == "op" and self.tok.text == ",":
                self.i += 1
                continue
            self.expect_op("]")
            return tuple(sorted(pairs.items()))


def parse(text: str) -> LinearExpr:
    """Parse an expression; raise ExpressionError (a ValueError) with position and reason."""
    if not isinstance(text, str):
        raise ExpressionError(
            repr(text), 0, "biểu thức phải là chuỗi", "expression must be a string"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            text[:80],
            MAX_LENGTH,
            f"dài quá {MAX_LENGTH} ký tự",
            f"longer than {MAX_LENGTH} characters",
        )
    return _Parser(text).parse()


def combos_matching(
    filters: tuple[tuple[str, str], ...], catalog: dict[int, dict[str, str]]
) -> set[int] | None:
    """Combo ids a filter selects; None means every combo of the element (no filter).

    catalog maps combo id -> {category: option}. A combo matches when it has every
    filtered category with that option; `combo=N` selects the id N itself.
    """
    if not filters:
        return None
    keys = {k for k, _ in filters}
    if keys == {COMBO_KEY}:
        # an explicit id needs no catalog: the caller may not have loaded one
        return {int(filters[0][1])}
    out = set()
    for combo, options in catalog.items():
        ok = True
        for key, want in filters:
            ok = combo == int(want) if key == COMBO_KEY else options.get(key) == want
            if not ok:
                break
        if ok:
            out.add(combo)
    return out
