"""Charts as PNG bytes: plan vs actual bars and trend lines (matplotlib, Agg).

We use matplotlib's object API (Figure + FigureCanvasAgg), never pyplot: pyplot keeps global
state and picks a GUI backend, which is wrong in a web worker and not thread-safe. matplotlib is
imported lazily so that building a report without charts does not pay its ~0.5 s import.

Labels are Vietnamese, so the font must carry its diacritics: Times New Roman when installed
(the document's font), else Liberation Serif (metric-compatible), else DejaVu Serif (always
shipped with matplotlib). Axis ticks and bar labels use the decimal comma via vntext.
"""

from __future__ import annotations

import io
from functools import lru_cache

from tongket.core.vntext import format_number

from .model import BarChart, Chart, LineChart, UnitKind

SERIF = ["Times New Roman", "Liberation Serif", "DejaVu Serif"]
DPI = 150
SIZE_IN = (6.3, 3.4)  # fits the 165 mm text width at 100%

PLAN_COLOR = "#9bb7d4"
ACTUAL_COLOR = "#1f4e79"


VIETNAMESE_PROBE = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđơư"


def _vietnamese_font(font_manager, ft2font) -> str:
    """First of SERIF that is installed and has every Vietnamese letter.

    Some Liberation Serif builds lack the stacked diacritics (ệ, ử...), and matplotlib would
    draw empty boxes, so presence of the family is not enough: we check its character map.
    """
    for family in SERIF:
        try:
            path = font_manager.findfont(family, fallback_to_default=False)
        except ValueError:
            continue
        charmap = ft2font.FT2Font(path).get_charmap()
        if all(ord(ch) in charmap for ch in VIETNAMESE_PROBE):
            return family
    return "DejaVu Serif"  # shipped inside matplotlib itself, covers Vietnamese


@lru_cache(maxsize=1)
def _mpl():
    import matplotlib
    from matplotlib import font_manager, ft2font

    matplotlib.rcParams.update(
        {
            "font.family": "serif",
            "font.serif": [_vietnamese_font(font_manager, ft2font)],
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    return Figure, FigureCanvasAgg, FuncFormatter


def _label(value, kind: UnitKind, decimals: int) -> str:
    text = format_number(value, decimals)
    return text + "%" if kind is UnitKind.PERCENT else text


def _axis_formatter(kind: UnitKind, FuncFormatter):
    def fmt(x, _pos):
        # ticks are round numbers: show decimals only when the tick has them
        decimals = 0 if float(x).is_integer() else 1
        return _label(x, kind, decimals)

    return FuncFormatter(fmt)


def _png(fig, canvas_cls) -> bytes:
    canvas_cls(fig)
    buf = io.BytesIO()
    # no "Software" metadata: same input, same bytes (cacheable, testable)
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def bar_chart_png(chart: BarChart) -> bytes:
    """Grouped bars: plan (light) beside actual (dark), value labels on top."""
    Figure, Canvas, FuncFormatter = _mpl()
    n = len(chart.categories)
    if len(chart.actual) != n or len(chart.plan) != n:
        raise ValueError(f"biểu đồ '{chart.title}': số cột dữ liệu khác số nhóm")
    fig = Figure(figsize=SIZE_IN)
    ax = fig.add_subplot()
    xs = list(range(n))
    w = 0.38
    plan_x = [x - w / 2 for x, p in zip(xs, chart.plan, strict=True) if p is not None]
    plan_y = [float(p) for p in chart.plan if p is not None]
    bars_p = ax.bar(plan_x, plan_y, w, label=chart.plan_label, color=PLAN_COLOR)
    bars_a = ax.bar(
        [x + w / 2 for x in xs],
        [float(a) for a in chart.actual],
        w,
        label=chart.actual_label,
        color=ACTUAL_COLOR,
    )
    for bars in (bars_p, bars_a):
        ax.bar_label(
            bars,
            labels=[_label(b.get_height(), chart.unit_kind, chart.decimals) for b in bars],
            fontsize=7,
            padding=1,
        )
    ax.set_xticks(xs, chart.categories, fontsize=8)
    if max((len(c) for c in chart.categories), default=0) > 14:
        for tick in ax.get_xticklabels():
            tick.set_rotation(20)
            tick.set_horizontalalignment("right")
    ax.yaxis.set_major_formatter(_axis_formatter(chart.unit_kind, FuncFormatter))
    ax.margins(y=0.15)
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, 1.12))
    fig.tight_layout()
    return _png(fig, Canvas)


def line_chart_png(chart: LineChart) -> bytes:
    """One line per series across periods; gaps (None) break the line.

    Value labels of different series at one period are stacked so they never overlap (the
    lines of close rates run side by side), and the legend sits under the plot, never on it.
    """
    Figure, Canvas, FuncFormatter = _mpl()
    fig = Figure(figsize=SIZE_IN, layout="constrained")
    ax = fig.add_subplot()
    xs = list(range(len(chart.periods)))
    for name, values in chart.series.items():
        if len(values) != len(xs):
            raise ValueError(f"biểu đồ '{chart.title}': chuỗi '{name}' sai số kỳ")
        ys = [float(v) if v is not None else float("nan") for v in values]
        ax.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.4, label=name)
    ax.set_xticks(xs, chart.periods, fontsize=8)
    ax.yaxis.set_major_formatter(_axis_formatter(chart.unit_kind, FuncFormatter))
    ax.margins(y=0.2)
    ax.autoscale_view()
    lo, hi = ax.get_ylim()
    # 10 pt of text height in data units (the axes take about 70 % of the figure's height)
    step = (hi - lo) * 10 / (SIZE_IN[1] * 72 * 0.7)
    for x in xs:
        here = sorted(
            (float(v), _label(v, chart.unit_kind, chart.decimals))
            for v in (vals[x] for vals in chart.series.values())
            if v is not None
        )[::-1]  # highest first: its label goes just above its point, the next below that
        ceiling = float("inf")  # where the label placed just before starts (its bottom)
        for value, text in here:
            above, below = value + step * 0.4, value - step * 1.4
            # above its point if there is room under the previous label, else just below it
            y = above if above + step <= ceiling else min(below, ceiling - step)
            ceiling = y
            ax.annotate(
                text,
                (x, y),
                ha="center",
                va="bottom",
                fontsize=7,
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    if len(chart.series) > 1:
        fig.legend(frameon=False, fontsize=8, loc="outside lower center", ncols=2)
    else:
        ax.legend(frameon=False, fontsize=8, loc="best")
    return _png(fig, Canvas)


def chart_png(chart: Chart) -> bytes:
    if isinstance(chart, BarChart):
        return bar_chart_png(chart)
    if isinstance(chart, LineChart):
        return line_chart_png(chart)
    raise TypeError(f"không biết vẽ biểu đồ {type(chart).__name__}")
