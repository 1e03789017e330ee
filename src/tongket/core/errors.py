"""Error pages in Vietnamese, in the site's layout, with a way back (handler400/403/404/500).

A message raised with the exception is shown when it is written for people (Vietnamese, such
as "Bạn không có quyền xem báo cáo này."); Django's own English texts ("No OrgUnit matches the
given query.", resolver details) are replaced by the page's general sentence.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

TITLES = {
    400: ("Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không đúng dạng."),
    403: ("Không có quyền", "Tài khoản của bạn không được phép thực hiện việc này."),
    404: ("Không tìm thấy trang", "Trang hoặc mục bạn tìm không có, hoặc đã bị xoá."),
    500: ("Lỗi hệ thống", "Đã có lỗi phía máy chủ; lỗi đã được ghi lại. Vui lòng thử lại sau."),
}


def people_message(exception: BaseException | None) -> str:
    """The exception's own message if it was written for people (not ASCII-only English)."""
    if exception is None or not exception.args:
        return ""
    first = exception.args[0]
    return first if isinstance(first, str) and not first.isascii() else ""


def _back(request: HttpRequest) -> str:
    ref = request.META.get("HTTP_REFERER", "")
    if ref and url_has_allowed_host_and_scheme(ref, {request.get_host()}):
        return ref
    return ""


def render_error(request: HttpRequest, status: int, exception: BaseException | None = None):
    title, general = TITLES[status]
    context = {
        "status": status,
        "title": title,
        "general": general,
        "message": people_message(exception),
        "back": _back(request) if status != 500 else "",
    }
    body = loader.render_to_string(f"{status}.html", context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_error(request, 400, exception)


def permission_denied(request: HttpRequest, exception: BaseException | None = None):
    return render_error(request, 403, exception)


def page_not_found(request: HttpRequest, exception: BaseException | None = None):
    return render_error(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: a failing context processor or database must not fail this page too.
    title, general = TITLES[500]
    body = loader.render_to_string("500.html", {"status": 500, "title": title, "general": general})
    return HttpResponse(body, status=500)
