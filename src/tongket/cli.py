"""`tongket`: Django's management commands plus Tongket's own (units, packs, demo, ...).

`tongket units load` is `django-admin units load`: Tongket's commands are ordinary management
commands, so they also work through manage.py and call_command in tests.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongket.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tongket", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
