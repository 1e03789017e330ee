"""`tongket factcheck FILE... [--json]`: a thin wrapper over the pure `tongket.factcheck.cli`."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Kiểm tra số liệu trong báo cáo: extract every figure and flag arithmetic that does not hold."

    def run_from_argv(self, argv: list[str]) -> None:
        # The pure CLI owns its argument parsing; Django's parser would reject its flags.
        from tongket.factcheck.cli import run

        sys.exit(run(argv[2:], sys.stdout))

    def handle(self, *args, **options) -> None:  # pragma: no cover - reached only via call_command
        from tongket.factcheck.cli import run

        code = run(list(args), self.stdout)
        if code:
            raise SystemExit(code)
