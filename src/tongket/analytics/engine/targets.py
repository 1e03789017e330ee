"""Plan vs actual, change on last year, ranking and robust outliers: pure functions.

The review report says "đạt 51,6% (vượt 1,1% kế hoạch)" or "ước đạt chỉ tiêu Nghị quyết
(60–65%)"; these helpers produce the verdict and the gap behind such sentences. Thresholds
(tolerance, the 3.5 cut-off, the jump ratio) are parameters because rule packs set them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

# plan vs actual and change are defined once, for every surface, in core.definitions
from tongket.core.definitions import (
    CHUA_DAT,
    DAT,
    VUOT,
    Change,
    TargetCheck,
    change,
    compare_to_target,
)
from tongket.core.definitions import finite as _finite

__all__ = [
    "CHUA_DAT",
    "DAT",
    "VERDICT_EN",
    "VUOT",
    "Change",
    "Jump",
    "Outlier",
    "TargetCheck",
    "change",
    "compare_to_target",
    "mad_outliers",
    "modified_z_scores",
    "rank_values",
    "yoy_jumps",
]

K = TypeVar("K", bound=Hashable)

VERDICT_EN = {VUOT: "exceeded", DAT: "met", CHUA_DAT: "not met"}

MAD_SCALE = 0.6745  # makes the MAD of a normal sample comparable to its standard deviation
MEANAD_SCALE = 1.253314  # sqrt(pi/2): same role for the mean absolute deviation


def rank_values(
    values: Mapping[K, float | None], higher_is_better: bool = True
) -> dict[K, int | None]:
    """Competition ranking ("1224"): ties share the better rank; missing values get None."""
    present = [(k, float(v)) for k, v in values.items() if _finite(v)]  # type: ignore[arg-type]
    present.sort(key=lambda kv: -kv[1] if higher_is_better else kv[1])
    out: dict[K, int | None] = {k: None for k in values}
    prev: float | None = None
    rank = 0
    for i, (k, v) in enumerate(present, start=1):
        if prev is None or v != prev:
            rank = i
        out[k] = rank
        prev = v
    return out


@dataclass(frozen=True)
class Outlier(Generic[K]):
    key: K
    value: float
    z: float  # modified z-score
    median: float


def modified_z_scores(values: Mapping[K, float]) -> dict[K, float]:
    """Iglewicz–Hoaglin modified z-scores: 0.6745 (x - median) / MAD.

    The median and MAD are not pulled by the outliers themselves, unlike mean and standard
    deviation, so one school typing 1,200 pupils instead of 120 does not hide itself. When
    more than half the peers share one value the MAD is 0; the mean absolute deviation
    (scaled by 1.2533) is used then, and if that is 0 too, every peer is equal.
    """
    items = [(k, float(v)) for k, v in values.items() if _finite(v)]
    if len(items) < 3:
        return {k: 0.0 for k, _ in items}
    xs = sorted(v for _, v in items)
    med = _median(xs)
    devs = sorted(abs(v - med) for v in xs)
    mad = _median(devs)
    if mad > 0:
        return {k: MAD_SCALE * (v - med) / mad for k, v in items}
    mean_ad = sum(devs) / len(devs)
    if mean_ad == 0:
        return {k: 0.0 for k, _ in items}
    return {k: (v - med) / (MEANAD_SCALE * mean_ad) for k, v in items}


def mad_outliers(values: Mapping[K, float], threshold: float = 3.5) -> list[Outlier[K]]:
    """Peers whose modified z-score exceeds the threshold (3.5 is Iglewicz–Hoaglin's),
    most extreme first."""
    z = modified_z_scores(values)
    med = _median(sorted(float(v) for v in values.values() if _finite(v))) if z else 0.0
    out = [Outlier(k, float(values[k]), s, med) for k, s in z.items() if abs(s) > threshold]
    return sorted(out, key=lambda o: -abs(o.z))


@dataclass(frozen=True)
class Jump(Generic[K]):
    key: K
    previous: float
    current: float
    ratio: float | None  # current / previous; None when previous is 0
    reason: str  # "ratio": beyond max_ratio; "peers": unusual among peers' changes


def yoy_jumps(
    current: Mapping[K, float | None],
    previous: Mapping[K, float | None],
    max_ratio: float = 2.0,
    min_change: float = 10.0,
    z_threshold: float = 3.5,
) -> list[Jump[K]]:
    """Implausible year-on-year jumps.

    Flagged when the change is at least `min_change` (small counts swing naturally: 2 -> 5
    teachers is not news) and either the ratio is beyond `max_ratio` either way, or the log
    of the ratio is an outlier (modified z > z_threshold) among all peers' log ratios, which
    catches a school growing 60% while its peers all shrank.
    """
    if max_ratio <= 1:
        raise ValueError("max_ratio phải > 1 / max_ratio must be > 1")
    pairs = {
        k: (float(previous[k]), float(c))  # type: ignore[arg-type]
        for k, c in current.items()
        if _finite(c) and k in previous and _finite(previous[k])
    }
    logs = {k: math.log(c / p) for k, (p, c) in pairs.items() if p > 0 and c > 0}
    z = modified_z_scores(logs)
    out: list[Jump[K]] = []
    for k, (p, c) in pairs.items():
        if abs(c - p) < min_change:
            continue
        ratio = c / p if p != 0 else None
        if ratio is None or ratio > max_ratio or ratio < 1 / max_ratio:
            out.append(Jump(k, p, c, ratio, "ratio"))
        elif abs(z.get(k, 0.0)) > z_threshold:
            out.append(Jump(k, p, c, ratio, "peers"))
    return out


def _median(xs: list[float]) -> float:
    n = len(xs)
    if n == 0:
        return math.nan
    mid = n // 2
    return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
