"""`tongket packs check [DIR]` and `tongket packs load [DIR]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongket.catalog.actions import default_pack_dir, load_pack
from tongket.catalog.packs import PackError, check_pack


class Command(BaseCommand):
    help = "Gói danh mục: check a pack (errors with file and line) or load it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["check", "load"])
        parser.add_argument("path", nargs="?", default=None)

    def handle(self, *args, action: str, path: str | None, **opts) -> None:
        root = path or default_pack_dir()
        try:
            if action == "check":
                pack = check_pack(root)
                self.stdout.write(
                    f"OK {pack.name} {pack.version}: {len(pack.elements)} elements, "
                    f"{len(pack.forms)} forms, {len(pack.indicators)} indicators, {len(pack.rules)} rules"
                )
            else:
                pack, changed = load_pack(root)
                self.stdout.write(
                    f"{pack.name} {pack.version}: {'loaded' if changed else 'unchanged'}"
                )
        except PackError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(exc.issues)} lỗi trong gói {root}") from exc
