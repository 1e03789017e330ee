"""`tongket pcgd evaluate|generate ...` (the pure calculator's CLI) and
`tongket pcgd demo --province 11 --year 2025` (a synthetic survey of the demo province's communes,
evaluated and stored as a PcgdResult so the web pages show PCGD figures)."""

from __future__ import annotations

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError


def _demo_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tongket pcgd demo", description="PCGD–XMC mẫu cho tỉnh demo")
    p.add_argument("--province", default="11", help="mã tỉnh (mặc định 11 Điện Biên)")
    p.add_argument("--year", type=int, default=2025, help="năm điều tra (số liệu đến 30/9)")
    p.add_argument("--people", type=int, default=300, help="số người mỗi xã")
    p.add_argument("--seed", type=int, default=1)
    return p


def run_demo(argv: list[str], out) -> int:
    from tongket.core.definitions import survey_date
    from tongket.norms.actions import NormsError, run_pcgd_demo
    from tongket.units.models import OrgUnit, UnitKind
    from tongket.units.queries import unit_by_code

    args = _demo_parser().parse_args(argv)
    try:
        province = unit_by_code(UnitKind.PROVINCE, args.province, survey_date(args.year))
        res = run_pcgd_demo(province, args.year, people=args.people, seed=args.seed)
    except (OrgUnit.DoesNotExist, NormsError) as exc:
        out.write(f"lỗi: {getattr(exc, 'message_vi', exc)}\n")
        return 2
    levels = res.result.get("provinces", {}).get(province.code, {}).get("levels", {})
    out.write(
        f"PCGD–XMC {res.year} {province.name}: {res.communes.count()} xã, "
        f"{len(res.result['rejected_rows'])} dòng bị loại; mức toàn tỉnh "
        + ", ".join(f"{k} {v}" for k, v in levels.items())
        + "\n"
    )
    return 0


class Command(BaseCommand):
    help = "PCGD–XMC: evaluate a household survey (NĐ 20/2014, TT 07/2016); `demo` stores one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv: list[str]) -> None:
        argv = argv[2:]
        if argv[:1] == ["demo"]:
            import django

            django.setup()
            sys.exit(run_demo(argv[1:], sys.stdout))
        # The pure calculator owns its argument parsing (tongket.norms.calc.pcgd.main).
        from tongket.norms.calc.pcgd import main

        sys.exit(main(argv, sys.stdout))

    def handle(self, *args, **options) -> None:
        if args[:1] == ("demo",) or list(args[:1]) == ["demo"]:
            code = run_demo(list(args[1:]), self.stdout)
        else:
            from tongket.norms.calc.pcgd import main

            code = main(list(args), self.stdout)
        if code:
            raise CommandError(f"pcgd: exit code {code}", returncode=code)
