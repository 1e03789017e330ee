"""`tongket token create USERNAME NAME`: an API key for a machine client (shown once)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongket.core.tokens import create_token


class Command(BaseCommand):
    help = "Tạo khoá API cho một người dùng (hiển thị một lần)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("name")

    def handle(self, *args, action: str, username: str, name: str, **opts) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng '{username}'.")
        self.stdout.write(create_token(user, name))
