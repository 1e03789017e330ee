"""`tongket analytics rebuild | demo-targets [--province 11] | import-targets FILE [--commit]`."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Chỉ tiêu và phân tích: rebuild the roll-ups, set the demo targets, import targets."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute every roll-up from the database")
        demo = sub.add_parser("demo-targets", help="plausible targets for the demo province")
        demo.add_argument("--province", default="11")
        imp = sub.add_parser("import-targets", help="targets from an .xlsx or .yaml file")
        imp.add_argument("file")
        imp.add_argument("--commit", action="store_true", help="write (default: check only)")

    def handle(self, *args, action: str, **opts) -> None:
        if action == "rebuild":
            from tongket.analytics import service

            t0 = time.perf_counter()
            stats = service.get().rebuild()
            self.stdout.write(
                f"Đã tổng hợp lại: {stats.units} đơn vị, {stats.periods} kỳ, {stats.terms} số hạng, "
                f"{stats.leaf_rows} tổng lá trong {time.perf_counter() - t0:.1f} s"
            )
            for w in stats.warnings:
                self.stdout.write(self.style.WARNING(w))
            return
        from tongket.analytics import actions

        if action == "demo-targets":
            try:
                n = actions.demo_targets(opts["province"])
            except Exception as exc:
                raise CommandError(f"Không giao được chỉ tiêu mẫu: {exc}") from exc
            self.stdout.write(f"Đã giao {n} chỉ tiêu mẫu cho tỉnh {opts['province']}.")
            return
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"Không có tệp {path}")
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                rows = actions.read_yaml(path.read_text(encoding="utf-8"))
            else:
                rows = actions.read_xlsx(path.read_bytes())
            report = actions.import_targets(None, rows, commit=opts["commit"])
        except actions.TargetError as exc:
            raise CommandError(str(exc)) from exc
        for p in report.problems:
            self.stdout.write(self.style.ERROR(p.message))
        if report.problems:
            raise CommandError(f"{len(report.problems)} dòng lỗi: không ghi gì.")
        if report.committed:
            self.stdout.write(
                f"Đã ghi {report.ok} chỉ tiêu ({report.created} mới, {report.updated} cập nhật)."
            )
        else:
            self.stdout.write(f"{report.ok} dòng hợp lệ. Chạy lại với --commit để ghi.")
