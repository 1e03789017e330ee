"""`tongket restore FILE [--force]`: restore a backup into an empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongket.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (--force: ghi đè dữ liệu đang có)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="tệp do `tongket backup` tạo")
        parser.add_argument(
            "--force",
            action="store_true",
            help="ghi đè cả khi cơ sở dữ liệu đích đã có dữ liệu",
        )

    def handle(self, *args, file: str, force: bool, **opts) -> None:
        try:
            manifest = restore(Path(file), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu ngày {manifest['created']} "
            f"({manifest['engine']}, {manifest['files_restored']} tệp dữ liệu)."
        )
