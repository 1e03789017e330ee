"""`tongket token create USERNAME NAME [--days N]` (the key is shown once),
`tongket token list [USERNAME]`, `tongket token revoke ID [--reason TEXT]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongket.core import tokens
from tongket.core.models import ApiToken


def _when(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Khoá API của người dùng: tạo (hiển thị một lần), liệt kê, thu hồi."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="tạo khoá mới (in ra một lần)")
        create.add_argument("username")
        create.add_argument("name")
        create.add_argument("--days", type=int, default=None, help="số ngày hiệu lực")
        lst = sub.add_parser("list", help="liệt kê khoá (của một người hoặc tất cả)")
        lst.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="thu hồi một khoá theo số")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--reason", default="")

    def handle(self, *args, action: str, **opts) -> None:
        try:
            if action == "create":
                self.stdout.write(
                    tokens.create_token(self._user(opts["username"]), opts["name"], opts["days"])
                )
            elif action == "list":
                qs = ApiToken.objects.select_related("user").order_by("user__username", "pk")
                if opts["username"]:
                    qs = qs.filter(user=self._user(opts["username"]))
                for t in qs:
                    self.stdout.write(
                        f"{t.pk}\t{t.user.username}\t{t.name}\t{tokens.status(t)}\t"
                        f"tạo {_when(t.created_at)}\thết hạn {_when(t.expires_at)}\t"
                        f"dùng {_when(t.last_used)}"
                    )
            else:
                t = tokens.revoke_token(None, opts["id"], opts["reason"])
                self.stdout.write(f"Đã thu hồi khoá {t.pk} ({t.name}) của {t.user.username}.")
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from None

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng '{username}'.")
        return user
