"""`tongket backup FILE`: a consistent snapshot of the database and the data directory."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongket.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và thư mục dữ liệu vào một tệp .tar.gz (xem docs/deployment.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", help="tệp sao lưu sẽ tạo, ví dụ /srv/backup/tongket-2026-12-04.tar.gz"
        )

    def handle(self, *args, file: str, **opts) -> None:
        try:
            manifest = backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã sao lưu {manifest['engine']} và {manifest['files']} tệp dữ liệu vào {file}"
        )
