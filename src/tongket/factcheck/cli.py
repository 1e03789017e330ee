"""`tongket factcheck FILE... [--json]`: read reports, list their figures, flag the arithmetic.

The project CLI calls run(argv, stdout) with the arguments after "factcheck". With --json each
file gives exactly one JSON object on one line:
  {"file": ..., "facts": [...], "issues": [...]}   or   {"file": ..., "error": "..."}
A file that cannot be read does not stop the others; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from tongket.factcheck.checks import Analysis, analyse
from tongket.factcheck.numbers import format_vn
from tongket.factcheck.readers import ReadError, read_document

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

_UNIT_VI = {"percent": "%", "VND": "đồng", "count": "", "other": ""}
_BOUND_VI = {"lower": "hơn", "upper": "dưới", "approx": "khoảng", "exact": ""}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tongket factcheck",
        description="Đọc báo cáo, trích các số liệu và kiểm tra số học "
        "(tỷ lệ, tổng các phần, chỉ tiêu).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help=".txt .docx .html .pdf")
    p.add_argument("--json", action="store_true", help="mỗi tệp một dòng JSON")
    p.add_argument("--facts", action="store_true", help="liệt kê cả các số liệu (báo cáo chữ)")
    return p


def result_dict(path: str, analysis: Analysis) -> dict:
    return {
        "file": path,
        "facts": [f.to_dict() for f in analysis.facts],
        "issues": [i.to_dict() for i in analysis.issues],
    }


def _show_value(fact: dict) -> str:
    value = fact["value"]
    text = format_vn(value) if value is not None else "?"
    if fact["range"]:
        text = f"{format_vn(fact['range'][0])}–{format_vn(fact['range'][1])}"
    bound = _BOUND_VI.get(fact["bound"], "")
    if fact["unit"] == "percent":
        return " ".join(part for part in (bound, text + "%") if part)
    unit = _UNIT_VI.get(fact["unit"], "") or (fact["counted"] or "")
    return " ".join(part for part in (bound, text, unit) if part)


def _write_report(out: SupportsWrite[str], result: dict, with_facts: bool) -> None:
    issues = result["issues"]
    hard = sum(1 for i in issues if i["severity"] == "hard")
    out.write(
        f"== {result['file']}: {len(result['facts'])} số liệu, {len(issues)} vấn đề "
        f"({hard} sai số học)\n"
    )
    for issue in issues:
        tag = "SAI" if issue["severity"] == "hard" else "lưu ý"
        out.write(f"  [{tag}] {issue['kind']}: {issue['message_vi']}\n")
        for quote in issue["quotes"]:
            out.write(f"      « {quote} »\n")
    if with_facts:
        for n, fact in enumerate(result["facts"], 1):
            extra = []
            if fact["numerator"] is not None:
                extra.append(f"{format_vn(fact['numerator'])}/{format_vn(fact['denominator'])}")
            if fact["target"] is not None:
                extra.append(f"chỉ tiêu {format_vn(fact['target'])}")
            if fact["indicator"]:
                extra.append(fact["indicator"])
            if fact["level"]:
                extra.append(fact["level"])
            tail = f"  ({'; '.join(extra)})" if extra else ""
            out.write(f"  {n:>3}. {_show_value(fact)}  « {fact['quote']} »{tail}\n")


def run(argv: list[str], stdout: SupportsWrite[str] | None = None) -> int:
    """Entry point: 0 when every file was read, 1 when any failed, 2 on bad arguments."""
    out = stdout if stdout is not None else sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    failed = False
    for path in args.files:
        try:
            text = read_document(path)
        except ReadError as exc:
            failed = True
            if args.json:
                out.write(json.dumps({"file": path, "error": str(exc)}, ensure_ascii=False) + "\n")
            else:
                out.write(f"== {path}: LỖI: {exc}\n")
            continue
        result = result_dict(path, analyse(text))
        if args.json:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            _write_report(out, result, args.facts)
    return 1 if failed else 0


def main() -> None:  # pragma: no cover - thin wrapper
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":  # pragma: no cover
    main()
