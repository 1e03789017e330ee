"""Inline SVG charts rendered on the server: no CDN, no JavaScript, readable without CSS.

Every text that comes from data is escaped; numbers are formatted the Vietnamese way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tongket.analytics.fmt import format_target, format_value

INK, MUTED, LINE, BRAND = "#1d2733", "#5b6775", "#d8dee6", "#0b5394"
NO_TARGET = "#7a5af8"  # a value but no target to judge it by: not a verdict's colour
VERDICT_COLOUR = {"vượt": "#067647", "đạt": "#1570ef", "chưa đạt": "#b42318", None: "#98a2b3"}


def _text_width(text: str, size: float = 11) -> float:
    """A generous estimate of a text's width in px (no font metrics on the server)."""
    return len(text) * size * 0.6


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
    # pad_t leaves the title its own band: a value label sits 8 px above its point, and the
    # highest point can be at the top of the plot (a 100 % rate), so labels never reach the title
    pad_l, pad_r, pad_t, pad_b = 56, 16, 46, 36
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
    slot = w / n  # horizontal room of one period
    label_w = max((_text_width(lb) for lb, _, _ in points), default=0) + 6
    every = max(1, math.ceil(label_w / slot))  # label every k-th period when they would touch
    value_w = max(
        (_text_width(format_value(v, unit)) for _, v, _ in points if v is not None), default=0
    )
    show_values = value_w + 4 <= slot  # otherwise the value is in each point's tooltip
    for i, (label, _, target) in enumerate(points):
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2):
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
        )
        if show_values:
            parts.append(
                f'<text x="{x(i):.1f}" y="{y(v) - 8:.1f}" font-size="11" text-anchor="middle" '
                f'fill="{INK}">{text}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def point_map(
    points: Sequence[dict], title: str, width: int = 560, height: int = 460
) -> SafeString:
    """Communes as dots at their coordinates, coloured by verdict (grey: no target), each a
    link to its drill-down page and labelled with its name where the label fits.

    No boundaries: no maintained package ships commune polygons of the 2025 map for offline use
    (docs/analytics.md). The legend has its own band above the plot, so it never covers a dot;
    labels are placed greedily (right, left, above, below of the dot) and skipped where they
    would overlap another label or dot; the name is always in the dot's tooltip.
    """
    pts = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    legend_h = 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="{legend_h}" width="{width}" height="{height - legend_h}" fill="#f8fafc" '
        f'stroke="{LINE}"/>',
    ]
    legend = [
        (VERDICT_COLOUR["vượt"], "Vượt"),
        (VERDICT_COLOUR["đạt"], "Đạt"),
        (VERDICT_COLOUR["chưa đạt"], "Chưa đạt"),
        (NO_TARGET, "Chưa có chỉ tiêu"),
        (VERDICT_COLOUR[None], "Chưa có số liệu"),
    ]
    lx = 6.0
    for colour, text in legend:
        parts.append(
            f'<circle cx="{lx + 5:.0f}" cy="14" r="5" fill="{colour}"/>'
            f'<text x="{lx + 14:.0f}" y="18" font-size="11" fill="{INK}">{text}</text>'
        )
        lx += 14 + _text_width(text) + 16
    if not pts:
        parts.append(
            f'<text x="{width / 2}" y="{(height + legend_h) / 2}" text-anchor="middle" '
            f'fill="{MUTED}">Chưa có toạ độ</text></svg>'
        )
        return mark_safe("".join(parts))
    lats = [p["lat"] for p in pts]
    lons = [p["lon"] for p in pts]
    lat0, lat1 = min(lats), max(lats)
    lon0, lon1 = min(lons), max(lons)
    span = max(lat1 - lat0, lon1 - lon0, 0.01)
    pad = 28
    top = legend_h + pad
    scale = min((width - 2 * pad) / max(lon1 - lon0, span * 0.2), (height - top - pad) / span)
    placed: list[tuple[float, float, float, float]] = []  # boxes taken by dots and labels
    dots = []
    for p in pts:
        cx = pad + (p["lon"] - lon0) * scale
        cy = height - pad - (p["lat"] - lat0) * scale
        dots.append((p, cx, cy))
        placed.append((cx - 7, cy - 7, cx + 7, cy + 7))
    labels: list[str] = []
    for p, cx, cy in dots:
        colour = VERDICT_COLOUR.get(p.get("verdict"), VERDICT_COLOUR[None])
        if p.get("verdict") is None and p.get("value") is not None:
            colour = NO_TARGET
        name = p["unit"].name
        label = f"{name}: {p.get('text') or '–'}" + (
            f" ({p['verdict']})" if p.get("verdict") else ""
        )
        dot = (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}" fill-opacity=".85" '
            f'stroke="#fff"><title>{escape(label)}</title></circle>'
        )
        href = p.get("href")
        parts.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
        short = _short_name(name)
        tw, th = _text_width(short, 10), 11
        for lx0, ly0, anchor in (
            (cx + 9, cy + 4, "start"),
            (cx - 9 - tw, cy + 4, "end"),
            (cx - tw / 2, cy - 10, "middle"),
            (cx - tw / 2, cy + 18, "middle"),
        ):
            box = (lx0, ly0 - th + 2, lx0 + tw, ly0 + 2)
            inside = box[0] >= 2 and box[2] <= width - 2 and box[1] >= legend_h + 2
            if inside and box[3] <= height - 2 and not any(_overlap(box, b) for b in placed):
                placed.append(box)
                tx = {"start": lx0, "end": lx0 + tw, "middle": lx0 + tw / 2}[anchor]
                labels.append(
                    f'<text x="{tx:.1f}" y="{ly0:.1f}" font-size="10" text-anchor="{anchor}" '
                    f'fill="{INK}" paint-order="stroke" stroke="#f8fafc" stroke-width="3">'
                    f"{escape(short)}</text>"
                )
                break
    parts.extend(labels)  # after every dot, so no dot is drawn over a label
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _short_name(name: str) -> str:
    """ "Xã Mường Phăng" → "Mường Phăng": the kind word adds nothing on a commune map."""
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
