"""The main menu: only the pages the signed-in user may open (the same checks those pages use)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from tongket.core.scope import is_admin, profile_of

register = template.Library()


def menu_items(user) -> list[tuple[str, str]]:
    """(label, url) of each page the user can open; an account without a unit (other than an
    administrator) gets only the pages that do not need one."""
    if not getattr(user, "is_authenticated", False):
        return []
    prof = profile_of(user)
    has_unit = is_admin(user) or (prof is not None and prof.unit_id is not None)
    items = [("Trang chủ", reverse("home")), ("Báo cáo", reverse("collection:index"))]
    items.append(("Đơn vị", reverse("units:browse")))
    items.append(("Kiểm tra văn bản", reverse("factcheck:check")))
    if has_unit:  # analytics and reports start at the user's unit (the nation for an admin)
        items.append(("Chỉ tiêu", reverse("analytics:dashboard")))
        items.append(("Tổng kết", reverse("reports:index")))
        items.append(("Định mức & PCGD", reverse("norms:index")))
    if user.is_staff:
        items.append(("Quản trị", reverse("admin:index")))
    return items


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    here = getattr(request, "path", "")
    items = menu_items(user)

    def current(url: str) -> bool:
        return here == url if url == "/" else here.startswith(url)

    return {"items": [(label, url, current(url)) for label, url in items]}
