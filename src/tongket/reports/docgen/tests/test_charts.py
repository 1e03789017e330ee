"""Charts render to PNG with Vietnamese labels and decimal commas."""

from __future__ import annotations

from tongket.reports.docgen import charts
from tongket.reports.docgen.model import BarChart, LineChart


def test_bar_and_line_png():
    bar = charts.chart_png(
        BarChart(
            "Kế hoạch và thực hiện", ["Huy động 3-5 tuổi", "Bán trú"], [51.6, 88.4], [50.5, None]
        )
    )
    line = charts.chart_png(
        LineChart("Xu hướng", ["2023-2024", "2024-2025"], {"Trẻ 5 tuổi": [99.6, None]})
    )
    for png in (bar, line):
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_font_has_vietnamese_and_axis_uses_comma():
    charts._mpl()
    import matplotlib

    assert matplotlib.rcParams["font.serif"][0] in charts.SERIF
    assert charts._label(51.6, charts.UnitKind.PERCENT, 1) == "51,6%"
    assert charts._label(1250, charts.UnitKind.COUNT, 0) == "1.250"


def test_deterministic_bytes():
    c = BarChart("T", ["A"], [1.5], [1.0])
    assert charts.chart_png(c) == charts.chart_png(c)


def test_close_series_labels_do_not_overlap():
    """Three rates that run side by side: every value label of a period gets its own line."""
    charts._mpl()
    from matplotlib.text import Annotation

    captured: list = []
    real_png = charts._png

    def spy(fig, canvas_cls):
        data = real_png(fig, canvas_cls)  # draws, so extents are final
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            captured.extend(
                c.get_window_extent(renderer)
                for c in ax.get_children()
                if isinstance(c, Annotation)
            )
        return data

    chart = LineChart(
        "Xu hướng",
        ["2023-2024", "2024-2025", "2025-2026"],
        {"A": [95.1, 96.4, 98.1], "B": [95.0, 96.2, 97.9], "C": [60.0, 62.0, 64.0]},
    )
    charts._png = spy
    try:
        charts.chart_png(chart)
    finally:
        charts._png = real_png
    assert len(captured) == 9
    for i, a in enumerate(captured):
        for b in captured[i + 1 :]:
            assert not a.overlaps(b), (a, b)
