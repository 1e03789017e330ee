"""`tongket units load | stats [--as-of YYYY-MM-DD]`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from tongket.core.vntext import parse_date
from tongket.units.models import UnitKind


class Command(BaseCommand):
    help = "Đơn vị hành chính: load the real unit tree, or print its counts as of a date."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load both trees and the successor links (idempotent)")
        stats = sub.add_parser("stats", help="units of each kind as of a date")
        stats.add_argument(
            "--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, action: str, **opts) -> None:
        if action == "load":
            from tongket.units.loader import load_real_tree

            start = time.perf_counter()
            report = load_real_tree()
            self.stdout.write(f"Loaded the unit tree in {time.perf_counter() - start:.1f} s")
            for line in report.lines():
                self.stdout.write(line)
            return
        from tongket.units.queries import today, tree_stats

        try:
            on = parse_date(opts["as_of"]) if opts.get("as_of") else today()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = tree_stats(on)
        self.stdout.write(f"Đơn vị tính đến ngày {on:%d/%m/%Y}:")
        for kind in UnitKind:
            self.stdout.write(f"  {kind.label:<28} {counts[kind.value]:>7,}".replace(",", "."))
