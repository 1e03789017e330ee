"""What a form's layout implies: its input cells, its computed totals, labels for messages.

Plain functions over the Form model's JSON layout, shared by the web form, Excel and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tongket.catalog.models import Form


@dataclass(frozen=True)
class CellInfo:
    element: str
    combo: str
    section: str
    row_code: str
    row_label: str
    column: int
    column_label: str
    computed: bool

    @property
    def label(self) -> str:
        return f"mục {self.section}, mã số {self.row_code} ({self.row_label}), cột “{self.column_label}”"


def cell_index(form: Form) -> dict[tuple[str, str], CellInfo]:
    out: dict[tuple[str, str], CellInfo] = {}
    for sec in form.layout.get("sections", []):
        for row in sec["rows"]:
            for i, cell in enumerate(row["cells"]):
                out[(cell["element"], cell["combo"])] = CellInfo(
                    cell["element"],
                    cell["combo"],
                    sec["code"],
                    row["code"],
                    row["label"],
                    i,
                    sec["columns"][i] if i < len(sec["columns"]) else "",
                    bool(cell["computed"]),
                )
    return out


def compute_totals(
    form: Form, values: Mapping[tuple[str, str], float | None]
) -> dict[tuple[str, str], float | None]:
    """Total rows = the sum, column by column, of the section's other rows of the same element."""
    out: dict[tuple[str, str], float | None] = {}
    for sec in form.layout.get("sections", []):
        for row in sec["rows"]:
            if not row.get("total"):
                continue
            parts = [
                r for r in sec["rows"] if r["element"] == row["element"] and not r.get("total")
            ]
            for i, cell in enumerate(row["cells"]):
                got = [
                    values.get((p["cells"][i]["element"], p["cells"][i]["combo"]))
                    for p in parts
                    if i < len(p["cells"])
                ]
                known = [g for g in got if g is not None]
                out[(cell["element"], cell["combo"])] = float(sum(known)) if known else None
    return out
