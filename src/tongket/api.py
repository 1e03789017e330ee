"""The HTTP API at /api/ (OpenAPI at /api/docs): django-ninja, session or token auth.

Each app contributes a Router; every endpoint calls the same actions and scope checks as the
web pages, so the API can never reach data the user could not see on screen.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from tongket.collection.errors import CellErrors, CollectionError, SubmitRefused
from tongket.core.middleware import busy_response, is_database_busy
from tongket.core.tokens import user_for_key


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        user = user_for_key(key or "")
        if user is not None:
            request.user = user
        return user


def _signed_in(request) -> bool:
    """A session, or the same API key a machine client uses for the endpoints."""
    if request.user.is_authenticated:
        return True
    bearer = request.headers.get("Authorization", "")
    key = bearer[7:] if bearer.lower().startswith("bearer ") else request.headers.get("X-API-Key")
    return bool(key) and user_for_key(key) is not None


def docs_access(view):
    """/api/docs and the schema: public only when TONGKET_API_DOCS_PUBLIC says so (read per
    request, so a test can switch it); otherwise the login page first."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.TONGKET.api_docs_public and not _signed_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Tongket API",
    version="1",
    description="Báo cáo, chỉ tiêu và số liệu ngành giáo dục / Education reporting and indicators",
    auth=[BearerToken(), HeaderToken(), django_auth],
    urls_namespace="api",
    docs_decorator=docs_access,
)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request,
        {"detail": str(exc) or "Không tìm thấy", "detail_en": "not found"},
        status=404,
    )


@api.exception_handler(OperationalError)
def _busy(request, exc: OperationalError):
    """SQLite's busy timeout: 503 + Retry-After (tongket.core.middleware), never a 500."""
    if is_database_busy(exc):
        return busy_response(request)
    raise exc


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "Không có quyền", "detail_en": "forbidden"}, status=403
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return api.create_response(
        request,
        {
            "detail": f"Dữ liệu gửi lên quá lớn (giới hạn {limit_mb:.1f} MB).".replace(".", ","),
            "detail_en": "request body too large",
        },
        status=413,
    )


@api.exception_handler(CellErrors)
def _cells(request, exc: CellErrors):
    return api.create_response(
        request,
        {"detail": exc.message_vi, "detail_en": exc.message_en, "problems": exc.problems},
        status=422,
    )


@api.exception_handler(SubmitRefused)
def _refused(request, exc: SubmitRefused):
    from tongket.collection.actions import warning_key

    return api.create_response(
        request,
        {
            "detail": exc.message_vi,
            "detail_en": exc.message_en,
            "code": exc.code,
            "violations": [
                {
                    "key": warning_key(v),
                    "rule": v.rule,
                    "severity": v.severity,
                    "context": v.context,
                    "message_vi": v.message_vi,
                    "message_en": v.message_en,
                    "cells": [{"element": e, "combo": c} for e, c in v.cells],
                }
                for v in exc.violations
            ],
        },
        status=422,
    )


@api.exception_handler(CollectionError)
def _collection(request, exc: CollectionError):
    status = {"conflict": 409, "not_found": 404, "closed": 409, "locked": 409}.get(
        exc.code or "", 422
    )
    return api.create_response(
        request,
        {"detail": exc.message_vi, "detail_en": exc.message_en, "code": exc.code},
        status=status,
    )


from tongket.collection.api import router as collection_router  # noqa: E402

api.add_router("/collection/", collection_router)

from tongket.analytics.api import router as analytics_router  # noqa: E402

api.add_router("/analytics/", analytics_router)
