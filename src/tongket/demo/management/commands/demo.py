"""`tongket demo [--province CODE] [--seed N]`."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tongket.core.vntext import format_number
from tongket.units.models import OrgUnit


class Command(BaseCommand):
    help = "Dựng tỉnh mẫu: real units, synthetic schools, three school years of data, demo users."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--province",
            default="11",
            help="province code (34-province list), default 11 Điện Biên",
        )
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--communes", type=int, default=None, help="only the first N communes (tests)"
        )

    def handle(self, *args, province: str, seed: int, communes: int | None = None, **opts) -> None:
        from tongket.demo.build import DEMO_PASSWORD, build_demo

        start = time.perf_counter()
        self._migrate_if_needed()
        try:
            report = build_demo(province.strip(), seed, stdout=self.stdout, max_communes=communes)
        except OrgUnit.DoesNotExist as exc:
            raise CommandError(
                f"{exc} Các mã tỉnh hiện hành: 01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96."
            ) from exc
        took = time.perf_counter() - start
        self.stdout.write(
            f"Tỉnh mẫu {report.province.name}: {format_number(report.schools)} trường, "
            f"{format_number(report.submissions)} báo cáo, {format_number(report.values)} giá trị "
            f"({format_number(took, 1)} giây)"
        )
        self.stdout.write(f"Tài khoản (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, unit in report.users:
            self.stdout.write(f"  {username:<12} {role:<32} {unit}")
        self.stdout.write("Lỗi cố ý trong dữ liệu mẫu (xem docs/demo.md):")
        for fault in report.faults:
            self.stdout.write(f"  - {fault}")

    def _migrate_if_needed(self) -> None:
        """A database that was never migrated (or is behind) is migrated first: the demo is
        the newcomer's first command and must not fail with "no such table"."""
        from django.db import DEFAULT_DB_ALIAS, connections
        from django.db.migrations.executor import MigrationExecutor

        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not plan:
            return
        self.stdout.write(
            f"Cơ sở dữ liệu chưa được cập nhật cấu trúc ({len(plan)} bước): "
            "đang chạy `tongket migrate`..."
        )
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except Exception as exc:
            raise CommandError(
                f"Không cập nhật được cấu trúc cơ sở dữ liệu ({exc}). "
                "Hãy chạy `tongket migrate` rồi chạy lại `tongket demo`."
            ) from exc
