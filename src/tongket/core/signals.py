"""Security events from sign-in: each failed attempt and each lock-out, logged."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from tongket.core.middleware import client_ip

security_log = logging.getLogger("tongket.security")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    security_log.warning(
        "login failed",
        extra={
            "event": "login_failed",
            "user": (credentials or {}).get("username", ""),
            "ip": client_ip(request) if request is not None else "",
        },
    )


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_log.warning(
        "login locked out",
        extra={"event": "lockout", "user": username or "", "ip": ip_address or ""},
    )
