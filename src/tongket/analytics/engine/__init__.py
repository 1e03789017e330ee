"""Pure roll-up engine behind the analytics app (no Django import: the app feeds it plain data).

Public API, re-exported here so callers import from one place.
"""

from .engine import (
    MODE_AS_OF,
    MODE_CURRENT,
    MODES,
    BuildStats,
    EngineError,
    Indicator,
    IndicatorValue,
    RollupEngine,
    default_period_day,
)
from .expr import ExpressionError, LinearExpr, Operand, parse
from .targets import (
    CHUA_DAT,
    DAT,
    VUOT,
    Change,
    Jump,
    Outlier,
    TargetCheck,
    change,
    compare_to_target,
    mad_outliers,
    modified_z_scores,
    rank_values,
    yoy_jumps,
)
from .tree import TreeError

__all__ = [
    "CHUA_DAT",
    "DAT",
    "MODES",
    "MODE_AS_OF",
    "MODE_CURRENT",
    "VUOT",
    "BuildStats",
    "Change",
    "EngineError",
    "ExpressionError",
    "Indicator",
    "IndicatorValue",
    "Jump",
    "LinearExpr",
    "Operand",
    "Outlier",
    "RollupEngine",
    "TargetCheck",
    "TreeError",
    "change",
    "compare_to_target",
    "default_period_day",
    "mad_outliers",
    "modified_z_scores",
    "parse",
    "rank_values",
    "yoy_jumps",
]
