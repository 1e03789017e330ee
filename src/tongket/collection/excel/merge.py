"""What an uploaded workbook may write: a three-way merge of the file, its base and the present.

A workbook carries its base: the values of the submission when it was downloaded. On upload
each cell of the file is compared with the base and with the values stored now:

| file vs now | base known? | now vs base | file vs base | outcome |
|---|---|---|---|---|
| equal | – | – | – | nothing to write |
| differs | yes | equal | – | written (only the file changed it) |
| differs | yes | differs | equal | kept as now (only someone else changed it) |
| differs | yes | differs | differs | conflict: both changed it |
| differs | no | – | – | conflict if a figure is stored now; written into an empty cell |

A conflict is written only when the user chose "mine" for it; "theirs" keeps the stored value;
without a choice nothing of the file is written. Duplicates are judged here too: a file that
would write nothing and has no open conflict changes nothing, whatever its bytes.

Plain Python; no Django import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

Key = tuple[str, str]
MINE, THEIRS = "mine", "theirs"


def values_digest(values: Mapping[Key, float | None]) -> str:
    """sha256 of the canonical form of a submission's values (empty cells left out)."""
    rows = sorted([e, c, float(v)] for (e, c), v in values.items() if v is not None)
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Conflict:
    key: Key
    base: float | None  # the value in the file's base (None: empty, or no base known)
    current: float | None  # stored now
    mine: float | None  # the file's value
    choice: str | None = None  # MINE, THEIRS or None (not chosen yet)

    @property
    def element(self) -> str:
        return self.key[0]

    @property
    def combo(self) -> str:
        return self.key[1]

    @property
    def field(self) -> str:
        """The form field that carries the choice for this cell."""
        return f"{self.key[0]}|{self.key[1]}"


@dataclass
class Merge:
    writes: dict[Key, float | None] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    kept_theirs: list[Key] = field(default_factory=list)  # changed elsewhere, not in the file

    @property
    def open_conflicts(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.choice is None]

    @property
    def changes_nothing(self) -> bool:
        return not self.writes and not self.open_conflicts


def merge(
    file: Mapping[Key, float | None],
    current: Mapping[Key, float | None],
    base: Mapping[Key, float | None] | None,
    choices: Mapping[Key, str] | None = None,
) -> Merge:
    """Merge the file's values into the current ones (see the module's table). `base` None:
    the file's base is unknown (no marker, or one that does not verify)."""
    choices = choices or {}
    out = Merge()
    for key in sorted(file):
        mine, now = file[key], current.get(key)
        if mine == now:
            continue
        if base is not None:
            was = base.get(key)
            if now == was:
                out.writes[key] = mine
                continue
            if mine == was:
                out.kept_theirs.append(key)
                continue
        elif now is None:
            out.writes[key] = mine  # nothing stored to overwrite
            continue
        choice = choices.get(key)
        choice = choice if choice in (MINE, THEIRS) else None
        if choice == MINE:
            out.writes[key] = mine
        out.conflicts.append(
            Conflict(key, base.get(key) if base is not None else None, now, mine, choice)
        )
    return out


__all__ = ["MINE", "THEIRS", "Conflict", "Merge", "merge", "values_digest"]
