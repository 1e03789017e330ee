"""The HTTP API at /api/ (OpenAPI at /api/docs): django-ninja, session or token auth.

Each app contributes a Router; every endpoint calls the same actions and scope checks as the
web pages, so the API can never reach data the user could not see on screen.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
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


api = NinjaAPI(
    title="Tongket API",
    version="1",
    description="Báo cáo, chỉ tiêu và số liệu ngành giáo dục / Education reporting and indicators",
    auth=[BearerToken(), HeaderToken(), django_auth],
    urls_namespace="api",
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
