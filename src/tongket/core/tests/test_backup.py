"""Backups that restore: a small demo province is backed up with `tongket backup`, restored with
`tongket restore` into a fresh database, and every table compared row by row. Run as an
operator would, through the CLI in subprocesses, on file databases (SQLite, and PostgreSQL
when pg_dump is installed)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

TONGKET = str(Path(sys.executable).parent / "tongket")
BUILD = (
    "import django; django.setup();"
    "from tongket.demo.build import build_demo; build_demo('11', seed=7, max_communes=3)"
)
PG = "postgres://postgres@127.0.0.1:5432/"


def _env(url: str, data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        TONGKET_DATA_DIR=str(data),
        TONGKET_DEBUG="true",
        DJANGO_SETTINGS_MODULE="tongket.settings",
    )
    return env


def _run(args: list[str], env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    if ok and res.returncode != 0:
        raise AssertionError(f"{args}: {res.stdout[-2000:]}{res.stderr[-3000:]}")
    return res


def _source(url: str, data: Path) -> dict[str, str]:
    """A database with the real tree, the catalog and a three-commune demo province, and a
    file an operator keeps in the data directory."""
    env = _env(url, data)
    for cmd in (["migrate", "--no-input", "-v0"], ["units", "load"], ["packs", "load"]):
        _run([TONGKET, *cmd], env)
    _run([sys.executable, "-c", BUILD], env)
    (data / "ghi-chu").mkdir()
    (data / "ghi-chu" / "so-tay.txt").write_text("Sổ tay vận hành", encoding="utf-8")
    return env


def _round_trip(src_url: str, dst_url: str, tmp_path: Path) -> tuple[Path, Path]:
    src_env = _source(src_url, tmp_path / "data1")
    archive = tmp_path / "sao-luu.tar.gz"
    _run([TONGKET, "backup", str(archive)], src_env)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    dst_data = tmp_path / "data2"
    dst_env = _env(dst_url, dst_data)
    _run([TONGKET, "migrate", "--no-input", "-v0"], dst_env)  # a fresh, empty database
    out = _run([TONGKET, "restore", str(archive)], dst_env)
    assert "Đã khôi phục" in out.stdout
    assert (dst_data / "ghi-chu" / "so-tay.txt").read_text(encoding="utf-8") == "Sổ tay vận hành"

    # the restored database is no longer empty: a second restore needs --force
    again = _run([TONGKET, "restore", str(archive)], dst_env, ok=False)
    assert again.returncode != 0 and "đã có dữ liệu" in again.stderr
    _run([TONGKET, "restore", str(archive), "--force"], dst_env)
    return archive, dst_data


def _rows(fetch) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (row order is not part of the data)."""
    out = {}
    for table, rows in fetch():
        clean = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
        out[table] = sorted(clean, key=repr)
    return out


def _sqlite_tables(path: Path):
    def fetch():
        con = sqlite3.connect(path)
        try:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            for t in tables:
                yield t, con.execute(f'SELECT * FROM "{t}"').fetchall()
        finally:
            con.close()

    return _rows(fetch)


def test_sqlite_backup_restores_every_row_and_file(tmp_path):
    src_db, dst_db = tmp_path / "data1" / "nguon.sqlite3", tmp_path / "data2" / "dich.sqlite3"
    _round_trip(f"sqlite:///{src_db}", f"sqlite:///{dst_db}", tmp_path)

    before, after = _sqlite_tables(src_db), _sqlite_tables(dst_db)
    assert set(before) == set(after)
    assert sum(len(r) for r in before.values()) > 10_000  # the demo is really in there
    for table in before:
        assert before[table] == after[table], table
    # private data: the directory and the database file
    assert stat.S_IMODE((tmp_path / "data2").stat().st_mode) == 0o700
    assert stat.S_IMODE(dst_db.stat().st_mode) == 0o600


def test_restore_refuses_something_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    env = _env(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "data")
    res = _run([TONGKET, "restore", str(junk)], env, ok=False)
    assert res.returncode != 0 and "không phải bản sao lưu" in res.stderr


def _pg_available() -> bool:
    if not shutil.which("pg_dump"):
        return False
    try:
        import psycopg

        psycopg.connect(PG + "postgres", connect_timeout=2).close()
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _pg_available(), reason="pg_dump or a PostgreSQL server is missing")
def test_postgres_backup_restores_every_row(tmp_path):
    import psycopg

    names = ("tongket_ops_backup_src", "tongket_ops_backup_dst")
    with psycopg.connect(PG + "postgres", autocommit=True) as con:
        for n in names:
            con.execute(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {n}")
    try:
        _round_trip(PG + names[0], PG + names[1], tmp_path)

        def tables(db: str):
            def fetch():
                with psycopg.connect(PG + db) as con:
                    listed = con.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1"
                    ).fetchall()
                    for (t,) in listed:
                        yield t, con.execute(f'SELECT * FROM "{t}"').fetchall()

            return _rows(fetch)

        before, after = tables(names[0]), tables(names[1])
        assert set(before) == set(after)
        assert sum(len(r) for r in before.values()) > 10_000
        for table in before:
            assert before[table] == after[table], table
    finally:
        with psycopg.connect(PG + "postgres", autocommit=True) as con:
            for n in names:
                con.execute(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)")
