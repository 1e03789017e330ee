"""Traceability of every number the generator writes.

DESIGN.md: "Every figure the system writes into a document can be traced to stored values."
So text is never assembled with f-strings holding numbers: it goes through `Text`, which records
each number token with the key of where it came from. The DOCX builder collects these records
into a ledger; tests re-extract the numbers from the saved file (`extract_numbers`) and check the
two agree token for token, and that every data key resolves to the input model.

Trace kinds (what a number may be):
- "data":    a figure of the model (indicator value, target, annex cell...), formatted by vntext;
- "derived": arithmetic on displayed figures only (gap to target, change vs last year), so the
             reader can redo the subtraction from what is printed;
- "text":    a number inside user-written or catalogue text (an indicator named "trẻ 3-5 tuổi",
             a cause paragraph, a unit name "Phường 1"), carried verbatim;
- "fixed":   document metadata: số/ký hiệu, place and date, the summary ("năm học 2024-2025");
- "struct":  numbering made by the layout: "1." headings, "Biểu đồ 2", "Phụ lục 1", STT cells.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

# A number as Vietnamese text writes it: grouped thousands with ".", decimal ",", optional "%".
# The lookbehind/lookahead keep digits glued to letters ("PL1", "BC-SGDĐT2") out, and a "."
# followed by exactly three digits is a group separator, never a decimal point.
NUMBER_RE = re.compile(r"(?<![\w,.])(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?%?(?!\w)")

KINDS = ("data", "derived", "text", "fixed", "struct")


class Trace(NamedTuple):
    text: str  # the number exactly as printed: "51,6%", "202", "1.250"
    key: str  # where it comes from: "ind.huy_dong.value", "meta.date", "struct.heading"
    kind: str = "data"


def number_tokens(text: str) -> list[str]:
    return NUMBER_RE.findall(text)


def bare(token: str) -> str:
    """Token without its percent sign: '51,6%' and '51,6' name the same figure."""
    return token.rstrip("%")


class Text:
    """A piece of text built from literals and traced numbers."""

    __slots__ = ("parts", "traces")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.traces: list[Trace] = []

    def lit(self, text: str, key: str = "", kind: str = "text") -> Text:
        """Append literal text; any digits in it are recorded under key (required then)."""
        tokens = number_tokens(text)
        if tokens:
            if not key:
                raise ValueError(f"chữ có số nhưng không có nguồn: {text!r}")
            self.traces.extend(Trace(t, key, kind) for t in tokens)
        self.parts.append(text)
        return self

    def num(self, text: str, key: str, kind: str = "data") -> Text:
        """Append a formatted number (one token) with its source key."""
        tokens = number_tokens(text)
        if len(tokens) != 1 or tokens[0] != text:
            raise ValueError(f"không phải một số: {text!r}")
        self.traces.append(Trace(text, key, kind))
        self.parts.append(text)
        return self

    def extend(self, other: Text) -> Text:
        self.parts.extend(other.parts)
        self.traces.extend(other.traces)
        return self

    def __str__(self) -> str:
        return "".join(self.parts)

    @classmethod
    def of(cls, text: str, key: str = "", kind: str = "text") -> Text:
        return cls().lit(text, key, kind)


def printed_value(token: str) -> Decimal:
    """The exact number a printed token stands for ('159.493' -> 159493, '51,6%' -> 51.6)."""
    return Decimal(bare(token).replace(".", "").replace(",", "."))


def prints(token: str, raw: object) -> bool:
    """Whether the token is `raw` rounded to the printed decimals: |printed - raw| is at most
    half a unit of the last printed digit."""
    decimals = len(bare(token).split(",")[1]) if "," in token else 0
    return abs(printed_value(token) - Decimal(str(raw))) <= Decimal(5).scaleb(-decimals - 1)


def strings_in(obj: object) -> list[str]:
    """Every string inside a report model (dataclasses, lists, tuples, dicts, keys included):
    text a printed number may be carried in verbatim."""
    if isinstance(obj, str):
        return [obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [s for f in dataclasses.fields(obj) for s in strings_in(getattr(obj, f.name))]
    if isinstance(obj, list | tuple):
        return [s for x in obj for s in strings_in(x)]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in strings_in(k) + strings_in(v)]
    return []


def check_text(text: Text) -> None:
    """Assert the recorded traces are exactly the number tokens of the text (a self-check)."""
    got = number_tokens(str(text))
    want = [t.text for t in text.traces]
    if got != want:
        raise AssertionError(f"số trong câu {got} khác số đã ghi nguồn {want}: {text}")


def _paragraph_texts(docx_path: str | Path) -> Iterable[str]:
    # lxml straight over document.xml: python-docx's object layer is ~20x slower on a
    # 12,000-cell annex and we only need the w:t text of every w:p (cells included).
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(docx_path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    for p in root.iter(f"{w}p"):
        yield "".join(t.text or "" for t in p.iter(f"{w}t"))


def extract_numbers(docx_path: str | Path) -> list[str]:
    """Every number token of a DOCX body (paragraphs and table cells), in document order.

    Headers and footers are left out: they hold only the PAGE field.
    """
    out: list[str] = []
    for text in _paragraph_texts(docx_path):
        out.extend(number_tokens(text))
    return out
