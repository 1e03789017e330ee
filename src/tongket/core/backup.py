"""Backups that restore: one archive with a consistent snapshot of the database and the data
directory's own files, and the restore of such an archive into an empty database.

The snapshot is SQLite's online backup API (a consistent copy even while the server writes,
which copying the file is not under WAL) or `pg_dump` for PostgreSQL. Uploaded files and
generated documents are stored in the database (BinaryField), so the database is the backup;
the data directory's other files (anything an operator keeps there, not the regenerable
static files) go in too.

Archive layout (tar.gz, created 0600):
  manifest.json    format, engine, when, Tongket version, the latest migration of each app
  db.sqlite3       (SQLite) or db.dump (PostgreSQL, pg_dump custom format)
  files/...        the data directory's files
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from tongket.core.files import private_dir, private_file

FORMAT = "tongket-backup-1"
# tables an empty (freshly migrated) database already fills by itself
_SELF_FILLED = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_site",
    "django_session",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator (Vietnamese)."""


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _skipped(data_dir: Path) -> set[Path]:
    """The data directory's entries a backup leaves out: the live database (copied through the
    backup API instead) and the static files (collectstatic rebuilds them)."""
    out = {data_dir / "static"}
    if _engine() == "sqlite":
        db = Path(settings.DATABASES["default"]["NAME"])
        out |= {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}
    return out


def _migrations() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app")
        return dict(cur.fetchall())


def _pg_env() -> dict[str, str]:
    db: dict = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _pg_tool(name: str) -> str:
    """The client tool whose major version is at least the server's (pg_dump refuses a newer
    server); Debian keeps each version under /usr/lib/postgresql/<major>/bin."""
    connection.ensure_connection()
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    candidates = [f"/usr/lib/postgresql/{server}/bin/{name}", shutil.which(name) or ""]
    for path in candidates:
        if path and Path(path).exists():
            out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
            m = re.search(r"\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
            if m and int(m.group(1)) >= server:
                return path
    raise BackupError(
        f"Không tìm thấy {name} phiên bản {server} trở lên (máy chủ PostgreSQL {server}); "
        f"cài gói postgresql-client-{server}."
    )


def _run(cmd: list[str]) -> None:
    res = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True)
    if res.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} thất bại: {res.stderr.strip()[-2000:]}")


def backup(target: Path) -> dict:
    """Write the archive to `target` (0600); return its manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tongket_version = version("tongket")
    except PackageNotFoundError:  # running from a source tree
        tongket_version = "dev"
    data_dir = Path(settings.TONGKET.data_dir).resolve()
    target = target.resolve()
    skipped = _skipped(data_dir) | {target}
    with tempfile.TemporaryDirectory(prefix="tongket-backup-") as tmp:
        work = Path(tmp)
        if _engine() == "sqlite":
            db_file, db_name = work / "db.sqlite3", "db.sqlite3"
            connection.ensure_connection()
            dst = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dst)  # type: ignore[union-attr]
            finally:
                dst.close()
        else:
            db_file, db_name = work / "db.dump", "db.dump"
            _run([_pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(db_file)])
        manifest: dict[str, object] = {
            "format": FORMAT,
            "engine": _engine(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tongket": tongket_version,
            "migrations": _migrations(),
            "database": db_name,
        }
        partial = target.with_name(target.name + ".part")
        private_file(partial)
        with tarfile.open(partial, "w:gz") as tar:
            blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(blob), 0o600
            tar.addfile(info, io.BytesIO(blob))
            tar.add(db_file, arcname=db_name)
            files = []
            if data_dir.exists():
                for path in sorted(data_dir.rglob("*")):
                    if path.is_file() and not any(path == s or s in path.parents for s in skipped):
                        files.append(path)
                        tar.add(path, arcname=f"files/{path.relative_to(data_dir)}")
            manifest["files"] = len(files)
        partial.replace(target)  # a half-written archive never carries the final name
    return manifest


def user_rows() -> int:
    """Rows in the tables a user or the system filled beyond what `migrate` puts there."""
    total = 0
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            if table in _SELF_FILLED:
                continue
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            total += cur.fetchone()[0]
    return total


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    out = {}
    for m in tar.getmembers():
        name = m.name
        if name.startswith("/") or ".." in Path(name).parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"Tệp sao lưu có mục không hợp lệ: {name!r}.")
        out[name] = m
    return out


def restore(source: Path, *, force: bool = False) -> dict:
    """Restore an archive made by `backup` into this database (empty, unless `force`)."""
    if not source.is_file():
        raise BackupError(f"Không có tệp sao lưu {source}.")
    try:
        tar = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"Tệp {source.name} không phải bản sao lưu Tongket ({exc}).") from exc
    with tar, tempfile.TemporaryDirectory(prefix="tongket-restore-") as tmp:
        members = _members(tar)
        if "manifest.json" not in members:
            raise BackupError(f"Tệp {source.name} không phải bản sao lưu Tongket (thiếu manifest).")
        manifest = json.load(tar.extractfile(members["manifest.json"]))  # type: ignore[arg-type]
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Định dạng sao lưu {manifest.get('format')!r} không được hỗ trợ.")
        if manifest["engine"] != _engine():
            raise BackupError(
                f"Bản sao lưu của {manifest['engine']} không khôi phục được vào {_engine()}."
            )
        has_tables = bool(connection.introspection.table_names())
        if has_tables and not force and user_rows():
            raise BackupError("Cơ sở dữ liệu đích đã có dữ liệu; dùng --force để ghi đè toàn bộ.")
        work = Path(tmp)
        db_member = members[manifest["database"]]
        tar.extract(db_member, work, set_attrs=False)
        db_file = work / db_member.name
        if _engine() == "sqlite":
            connection.ensure_connection()
            src = sqlite3.connect(db_file)
            try:
                src.backup(connection.connection)  # type: ignore[arg-type]
            finally:
                src.close()
        else:
            _run(
                [
                    _pg_tool("pg_restore"),
                    *("--clean", "--if-exists", "--no-owner", "--no-privileges"),
                    "--single-transaction",
                    *("-d", _pg_env().get("PGDATABASE", "")),
                    str(db_file),
                ]
            )
        data_dir = private_dir(Path(settings.TONGKET.data_dir))
        n = 0
        for name, member in members.items():
            if name.startswith("files/") and member.isfile():
                dest = data_dir / name.removeprefix("files/")
                if dest.parent != data_dir:
                    private_dir(dest.parent)
                with tar.extractfile(member) as fh, open(dest, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(fh, out)
                os.chmod(dest, 0o600)
                n += 1
        manifest["files_restored"] = n
    connection.close()  # the next query sees the restored database from a fresh connection
    return manifest
