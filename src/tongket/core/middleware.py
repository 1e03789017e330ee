"""Domain errors that escape a page become the right HTTP answer, never a 500.

Actions raise django's ValidationError (CollectionError and friends) with a Vietnamese message;
a view that forgot to catch one used to answer 500. Code "not_found" is a 404, anything else a
400, both on the site's error page with the message. The API has its own handlers (tongket.api).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from tongket.core.errors import render_error


class DomainErrorMiddleware:
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
