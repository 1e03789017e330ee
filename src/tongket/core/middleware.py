"""Operational middleware: a busy database answers 503 (never 500, never a hang), logged-in
pages are never stored by shared caches, refused access is logged as a security event, and
domain errors that escape a page become the right HTTP answer (never a 500)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from tongket.core.errors import render_error

security_log = logging.getLogger("tongket.security")

RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "Hệ thống đang bận ghi dữ liệu, vui lòng thử lại sau ít giây."


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's lock timeout ("database is locked" / "database table is locked"); PostgreSQL
    waits on row locks instead and has no such error."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def busy_response(request: HttpRequest) -> HttpResponse:
    security_log.warning(
        "database busy", extra={"event": "db_busy", "path": request.path, "status": 503}
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": BUSY_MESSAGE, "detail_en": "database busy, retry shortly"}, status=503
        )
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Đang bận</title>'
            f"<h1>Đang bận</h1><p>{BUSY_MESSAGE}</p></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A view that hits SQLite's busy timeout (TONGKET_SQLITE_BUSY_TIMEOUT) gets a 503 with
    Retry-After instead of a 500: the client may simply try again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except OperationalError as exc:  # raised in an inner middleware's own code
            if is_database_busy(exc):
                return busy_response(request)
            raise

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_busy(exception):
            return busy_response(request)
        return None


class PrivateCacheMiddleware:
    """Pages for a signed-in user (or a token) carry their data: no shared cache may keep
    them, and the browser must not either (no-store), so the back button after logout or a
    shared computer shows nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authed = (user is not None and user.is_authenticated) or (
            "HTTP_AUTHORIZATION" in request.META or "HTTP_X_API_KEY" in request.META
        )
        if authed and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "private, no-store"
        return response


class SecurityLogMiddleware:
    """Every refused access (403) as a security event: who, what, from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security_log.warning(
                "access refused",
                extra={
                    "event": "forbidden",
                    "user": getattr(user, "username", "") or "",
                    "path": request.path,
                    "method": request.method,
                    "ip": client_ip(request),
                    "status": 403,
                },
            )
        return response


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind the trusted proxy (TONGKET_PROXY_SSL_HEADER) the last
    address the proxy appended to X-Forwarded-For, else the socket's. Used by the log and by
    the per-address login lock-out, which would otherwise lock out everyone behind nginx."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or ""


class DomainErrorMiddleware:
    """Actions raise django's ValidationError (CollectionError and friends) with a Vietnamese
    message; a view that forgot to catch one used to answer 500. Code "not_found" is a 404,
    anything else a 400, both on the site's error page with the message. The API has its own
    handlers (tongket.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, ValidationError):
            return None
        status = 404 if getattr(exc, "code", None) == "not_found" else 400
        message = getattr(exc, "message_vi", None) or "; ".join(exc.messages)
        return render_error(request, status, ValidationError(message))
