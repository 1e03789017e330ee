"""`tongket norms demo-register --province 11`: seed plausible national-standard and
accreditation certificates for the demo schools.
`tongket norms staffing --province 11 --period 2025-2026 [--mode current]`: the report sentences.
`tongket norms staffing evaluate --schools FILE --date YYYY-MM-DD [--json]`: the pure calculator
over a CSV/XLSX of schools (tongket.norms.calc.staffing_file, which owns the contract)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongket.core.definitions import MODE_AS_OF, MODES


class Command(BaseCommand):
    help = (
        "Định mức & chuẩn quốc gia: demo-register (sổ chuẩn quốc gia mẫu), staffing (câu báo cáo)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["demo-register", "staffing"])
        parser.add_argument("what", nargs="?", choices=["evaluate"], help="staffing evaluate")
        parser.add_argument("--schools", help="evaluate: tệp CSV/XLSX các trường")
        parser.add_argument("--date", help="evaluate: ngày áp dụng định mức (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="evaluate: in JSON")
        parser.add_argument("--province", default="11")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--period", default="")
        parser.add_argument("--mode", choices=list(MODES), default=MODE_AS_OF)

    def handle(self, *args, **opts) -> None:
        if opts["what"] == "evaluate":
            from tongket.norms.calc.staffing_file import main

            argv = ["evaluate"]
            for name in ("schools", "date"):
                if opts[name] is not None:
                    argv += [f"--{name}", opts[name]]
            code = main([*argv, *(["--json"] if opts["json"] else [])], self.stdout)
            if code:
                raise CommandError(f"norms staffing evaluate: exit code {code}", returncode=code)
            return
        from tongket.units.models import OrgUnit, UnitKind
        from tongket.units.queries import unit_by_code

        try:
            province = unit_by_code(UnitKind.PROVINCE, opts["province"])
        except OrgUnit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        if opts["action"] == "demo-register":
            from tongket.norms.actions import seed_demo_register
            from tongket.norms.queries import register_sentences
            from tongket.units.queries import today

            n = seed_demo_register(province, seed=opts["seed"])
            self.stdout.write(f"Đã tạo {n} giấy chứng nhận mẫu cho các trường của {province.name}.")
            for line in register_sentences(province, today()):
                self.stdout.write(line)
            return
        from tongket.norms import service

        period = opts["period"] or service.opening_period()
        if not period:
            raise CommandError("Chưa có đợt báo cáo đầu năm học nào.")
        for line in service.staffing_sentences(province, period, opts["mode"]):
            self.stdout.write(line)
