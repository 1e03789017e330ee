"""Charts people can read: the title has its own band, labels do not collide, the map's legend
never covers a dot."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

from tongket.analytics import charts


def texts(svg: str) -> list[tuple[float, float, str]]:
    return [
        (float(x), float(y), t)
        for x, y, t in re.findall(r'<text x="([\d.-]+)" y="([\d.-]+)"[^>]*>([^<]*)</text>', svg)
    ]


def test_trend_title_never_touches_value_labels():
    points = [(f"{y}-{y + 1}", 100.0, 95.0) for y in range(2019, 2023)]  # a 100 % rate on top
    svg = str(charts.line_chart(points, "percent", "Tỷ lệ huy động trẻ 5 tuổi qua các năm học"))
    (_, title_y, _), *rest = texts(svg)
    assert all(y - 11 > title_y + 4 for _, y, _ in rest)  # 11 px text, a gap below the title


def test_trend_period_labels_thin_out_when_crowded():
    points = [(f"{y}-{y + 1}", float(y % 7), None) for y in range(2000, 2025)]
    svg = str(charts.line_chart(points, "count", "Số trường"))
    bottom = sorted(x for x, y, t in texts(svg) if re.fullmatch(r"\d{4}-\d{4}", t))
    assert 2 <= len(bottom) < 25
    assert all(b - a >= charts._text_width("2000-2001") for a, b in itertools.pairwise(bottom))


def test_map_legend_and_labels_do_not_cover_dots_or_each_other():
    pts = [
        {
            "unit": SimpleNamespace(name=f"Xã Mường Số {i}"),
            "lat": 21 + (i % 7) * 0.03,
            "lon": 103 + (i // 7) * 0.03,
            "value": 1.0,
            "verdict": ["vượt", "đạt", "chưa đạt", None][i % 4],
            "text": "1,0%",
        }
        for i in range(40)
    ]
    svg = str(charts.point_map(pts, "Tỷ lệ theo xã"))
    dots = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="6"', svg)
    ]
    assert len(dots) == 40 and all(y - 6 > 30 for _, y in dots)  # below the legend band
    labels = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" font-size="10" text-anchor="(\w+)"[^>]*>([^<]*)</text>',
        svg,
    )
    assert len(labels) >= 10, "communes are labelled where there is room"
    boxes = []
    for x, y, anchor, text in labels:
        w = charts._text_width(text, 10)
        left = {"start": 0.0, "middle": w / 2, "end": w}[anchor]
        boxes.append((float(x) - left, float(y) - 9, float(x) - left + w, float(y) + 2))
    dot_boxes = [(x - 6, y - 6, x + 6, y + 6) for x, y in dots]
    for a, b in itertools.combinations(boxes, 2):
        assert not charts._overlap(a, b)
    for a in boxes:
        assert a[1] > 30 and not any(charts._overlap(a, d) for d in dot_boxes)
    assert "Xã Mường Số" not in re.sub(r"<title>.*?</title>", "", svg)  # short names on the map
