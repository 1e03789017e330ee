"""Private data files: created for the service account only (0700 directories, 0600 files).
No Django import: settings.py uses these before Django is set up."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> None:
    """Create (empty) or tighten a file to 0600: the SQLite file, a backup archive."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
