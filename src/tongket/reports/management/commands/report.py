"""`tongket report review --unit CODE --period 2024-2025 [--kind tong-ket|so-ket|giao-ban]
[--as-of-tree|--today-tree] -o report.docx [--xlsx annex.xlsx] [--pdf]` and
`tongket report forms --unit CODE --period P -o forms.xlsx`.

CODE is a province (2 digits), a commune (5 digits) or a school identifier, taken alive on the
period's date (30/9); the draft of the unit (edited on the web) supplies the written parts.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Báo cáo tổng kết (NĐ 30/2020) và biểu thống kê tổng hợp cho một đơn vị."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        review = sub.add_parser("review", help="the review report: DOCX, annex XLSX, PDF")
        forms = sub.add_parser("forms", help="forms 01-04 ĐN/CN filled for the unit (XLSX)")
        for p in (review, forms):
            p.add_argument("--unit", required=True, help="mã tỉnh, xã/phường hoặc mã trường")
            p.add_argument("--period", required=True, help="năm học, vd. 2024-2025")
            p.add_argument("-o", "--output", required=True)
        review.add_argument(
            "--kind", default="tong-ket", choices=["tong-ket", "so-ket", "giao-ban"]
        )
        tree = review.add_mutually_exclusive_group()
        tree.add_argument("--as-of-tree", dest="mode", action="store_const", const="as_of")
        tree.add_argument("--today-tree", dest="mode", action="store_const", const="current")
        review.set_defaults(mode="as_of")
        review.add_argument("--xlsx", help="also write the annex workbook here")
        review.add_argument("--pdf", action="store_true", help="also write <output>.pdf")
        review.add_argument("--no-charts", action="store_true")
        review.add_argument(
            "--policy",
            choices=["working", "approved"],
            help="which reports count (default: the draft's, approved only unless changed)",
        )

    def handle(self, *args, action: str, **opts) -> None:
        from tongket.analytics.actions import TargetError, resolve_unit
        from tongket.reports import actions
        from tongket.reports.builder import ReportError

        try:
            period, _ = actions.canonical(opts["period"], opts.get("kind") or "tong-ket")
            unit = resolve_unit(opts["unit"], period)
        except (ReportError, TargetError) as exc:
            raise CommandError(str(exc)) from exc
        out = Path(opts["output"])
        t0 = time.perf_counter()
        if action == "forms":
            from tongket.reports.formsxlsx import build_forms_xlsx

            out.write_bytes(build_forms_xlsx(unit, period))
            self.stdout.write(f"Đã ghi {out} ({unit.name}, {period}).")
            return
        try:
            files = actions.generate(
                unit,
                period,
                opts["kind"],
                opts["mode"],
                pdf=opts["pdf"],
                charts=not opts["no_charts"],
                progress=lambda step: self.stdout.write(f"  {step}…"),
                policy=opts.get("policy"),
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        out.write_bytes(files.docx)
        self.stdout.write(f"Đã ghi {out}")
        if opts.get("xlsx"):
            Path(opts["xlsx"]).write_bytes(files.xlsx)
            self.stdout.write(f"Đã ghi {opts['xlsx']}")
        if opts["pdf"]:
            if files.pdf:
                pdf = out.with_suffix(".pdf")
                pdf.write_bytes(files.pdf)
                self.stdout.write(f"Đã ghi {pdf}")
            else:
                self.stdout.write(self.style.WARNING(f"Không có PDF: {files.pdf_note}"))
        for note in files.built.notes:
            self.stdout.write(self.style.WARNING(note))
        for issue in files.check_issues:
            word = "Lỗi số học" if issue["severity"] == "hard" else "Cần xem lại"
            self.stdout.write(self.style.WARNING(f"{word}: {issue['message']}"))
            for sentence in issue["sentences"]:
                self.stdout.write(f"    «{sentence}»")
        self.stdout.write(
            f"{unit.name}, {period}: {len(files.built.report.indicators)} chỉ tiêu, "
            f"{len(files.built.report.annexes)} phụ lục, {len(files.built.sources)} số liệu có "
            f"nguồn, {time.perf_counter() - t0:.1f} s."
        )
