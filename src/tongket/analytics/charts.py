"""Inline SVG charts rendered on the server: no CDN, no JavaScript, readable without CSS.

Every text that comes from data is escaped; numbers are formatted the Vietnamese way.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tongket.analytics.fmt import format_target, format_value

INK, MUTED, LINE, BRAND = "#1d2733", "#5b6775", "#d8dee6", "#0b5394"
VERDICT_COLOUR = {"vượt": "#067647", "đạt": "#1570ef", "chưa đạt": "#b42318", None: "#98a2b3"}


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** len(str(int(v))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * mag:
            return step * mag
    return v


def line_chart(
    points: Sequence[tuple[str, float | None, float | tuple[float, float] | None]],
    unit: str,
    title: str,
    width: int = 560,
    height: int = 220,
) -> SafeString:
    """Values over periods with the target (a dashed line, or a band for a range)."""
    pad_l, pad_r, pad_t, pad_b = 56, 16, 28, 36
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    vals = [v for _, v, _ in points if v is not None]
    tops = [t[1] if isinstance(t, tuple) else t for _, _, t in points if t is not None]
    ymax = _nice_max(max([*vals, *tops, 0.0]) * 1.1)
    if unit == "percent" and ymax > 100 and max([*vals, 0.0]) <= 100:
        ymax = 100.0
    n = max(len(points), 1)

    def x(i: int) -> float:
        return pad_l + (w * (i + 0.5) / n)

    def y(v: float) -> float:
        return pad_t + h - (h * v / ymax if ymax else 0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad_l}" y="16" font-size="13" fill="{INK}">{escape(title)}</text>',
    ]
    for k in range(5):
        grid = ymax * k / 4
        parts.append(
            f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(grid):.1f}" y2="{y(grid):.1f}" stroke="{LINE}"/>'
            f'<text x="{pad_l - 6}" y="{y(grid) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{escape(format_value(grid, unit))}</text>'
        )
    for i, (label, _, target) in enumerate(points):
        parts.append(
            f'<text x="{x(i):.1f}" y="{pad_t + h + 18}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
        if isinstance(target, tuple):
            lo, hi = target
            parts.append(
                f'<rect x="{x(i) - 18:.1f}" y="{y(hi):.1f}" width="36" '
                f'height="{max(y(lo) - y(hi), 1):.1f}" fill="#fdb022" opacity=".35">'
                f"<title>Chỉ tiêu {escape(format_target(target, unit))}</title></rect>"
            )
        elif target is not None:
            parts.append(
                f'<line x1="{x(i) - 18:.1f}" x2="{x(i) + 18:.1f}" y1="{y(target):.1f}" '
                f'y2="{y(target):.1f}" stroke="#dc6803" stroke-width="2" stroke-dasharray="4 2">'
                f"<title>Chỉ tiêu {escape(format_target(target, unit))}</title></line>"
            )
    path: list[str] = []
    for i, (_, v, _) in enumerate(points):
        if v is None:
            continue
        path.append(f"{'L' if path else 'M'}{x(i):.1f},{y(v):.1f}")
    if path:
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{BRAND}" stroke-width="2"/>')
    for i, (label, v, _) in enumerate(points):
        if v is None:
            continue
        text = escape(format_value(v, unit))
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{BRAND}">'
            f"<title>{escape(label)}: {text}</title></circle>"
            f'<text x="{x(i):.1f}" y="{y(v) - 8:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def point_map(
    points: Sequence[dict], title: str, width: int = 560, height: int = 420
) -> SafeString:
    """Communes as dots at their coordinates, coloured by verdict (grey: no target), sized by
    nothing (a dot is a commune, whatever its size), each a link to its drill-down page."""
    pts = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f8fafc" stroke="{LINE}"/>',
    ]
    if not pts:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}">'
            "Chưa có toạ độ</text></svg>"
        )
        return mark_safe("".join(parts))
    lats = [p["lat"] for p in pts]
    lons = [p["lon"] for p in pts]
    lat0, lat1 = min(lats), max(lats)
    lon0, lon1 = min(lons), max(lons)
    span = max(lat1 - lat0, lon1 - lon0, 0.01)
    pad = 24
    scale = min((width - 2 * pad) / max(lon1 - lon0, span * 0.2), (height - 2 * pad) / span)
    for p in pts:
        cx = pad + (p["lon"] - lon0) * scale
        cy = height - pad - (p["lat"] - lat0) * scale
        colour = VERDICT_COLOUR.get(p.get("verdict"), VERDICT_COLOUR[None])
        if p.get("verdict") is None and p.get("value") is not None:
            colour = BRAND
        label = f"{p['unit'].name}: {p.get('text') or '–'}" + (
            f" ({p['verdict']})" if p.get("verdict") else ""
        )
        dot = (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}" fill-opacity=".85" '
            f'stroke="#fff"><title>{escape(label)}</title></circle>'
        )
        href = p.get("href")
        parts.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
    legend = [("vượt", "Vượt"), ("đạt", "Đạt"), ("chưa đạt", "Chưa đạt"), (None, "Chưa có số liệu")]
    for i, (key, text) in enumerate(legend):
        parts.append(
            f'<circle cx="{pad + i * 110}" cy="14" r="5" fill="{VERDICT_COLOUR[key]}"/>'
            f'<text x="{pad + i * 110 + 9}" y="18" font-size="11" fill="{INK}">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
