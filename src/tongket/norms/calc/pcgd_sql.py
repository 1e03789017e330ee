"""The vectorised half of the PCGD–XMC evaluator: read the survey with DuckDB, reject bad rows,
count numerators and denominators per commune.

Why DuckDB: a national survey is ~60 M person rows; one pass of columnar SQL over CSV/Parquet does
in seconds what a Python loop does in hours, and it spills to disk instead of running out of memory.
Everything here returns plain Python values; the legal logic (levels, roll-up) is in pcgd.py.

Row numbers: ``row`` is the 1-based data row, header excluded (row 1 = first line after the
header in CSV; Excel row 2 in XLSX; Parquet row 0 is row 1).
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import duckdb

from .packs import PcgdRuleSet

COLUMNS = (
    "person_id",
    "commune_code",
    "birth_year",
    "sex",
    "ethnic_minority",
    "disability",
    "status",
    "completed_preschool",
    "primary_completed_year",
    "thcs_diploma_year",
    "literacy_level",
)
INT_COLUMNS = frozenset(
    {
        "birth_year",
        "ethnic_minority",
        "completed_preschool",
        "primary_completed_year",
        "thcs_diploma_year",
        "literacy_level",
    }
)
DISABILITY = ("none", "can_study", "cannot_study")
GRADES = tuple(range(1, 13))
STATUSES = ("not_in_school", "preschool", *(f"grade_{g}" for g in GRADES), "gdtx", "vocational")


class SurveyError(ValueError):
    """The survey or communes file cannot be read at all (as opposed to a bad row)."""


class RejectedRow(TypedDict):
    row: int  # data row, 1-based, header not counted
    reason: str


@dataclass
class SurveyCounts:
    """Per commune: {rate: (numerator, denominator)}, plus the rejected rows."""

    counts: dict[str, dict[str, tuple[int, int]]]
    people: dict[str, int]
    rejected: list[RejectedRow]


def connect(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection sized for this machine: all cores, bounded memory, spill to temp."""
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count() or 1}")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"SET memory_limit = '{memory_limit or os.environ.get('TONGKET_DUCKDB_MEMORY', '5GB')}'"
    )
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/tongket_duckdb'")
    return con


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def xlsx_to_csv(path: Path, out: Path) -> None:
    """Copy the first sheet of an XLSX to CSV, keeping data-row order (so row numbers survive).

    Whole-number floats become integers: Excel stores 2010 as 2010.0 and it must not look malformed.
    """
    import openpyxl  # imported here: only XLSX input needs it

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for values in ws.iter_rows(values_only=True):
                cells = []
                for v in values:
                    if v is None:
                        cells.append("")
                    elif isinstance(v, float) and v.is_integer():
                        cells.append(str(int(v)))
                    else:
                        cells.append(str(v))
                writer.writerow(cells)
    finally:
        wb.close()


def read_table_file(path: Path) -> list[dict[str, str]]:
    """A small CSV/XLSX (the communes file) as a list of dicts of stripped strings."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "communes.csv"
            xlsx_to_csv(path, out)
            return read_table_file(out)
    if path.suffix.lower() == ".parquet":
        con = duckdb.connect()
        rel = con.sql(f"SELECT * FROM read_parquet({_sql_str(str(path))})")
        cols = rel.columns
        return [
            {c: "" if v is None else str(v).strip() for c, v in zip(cols, r, strict=True)}
            for r in rel.fetchall()
        ]
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return [
                {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                for row in csv.DictReader(fh)
            ]
    except OSError as exc:
        raise SurveyError(f"{path}: cannot read ({exc.strerror})") from exc


def _open_survey(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path) -> list[RejectedRow]:
    """Create view ``src`` (survey columns + ``_row``); return unparseable CSV lines as rejects."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SurveyError(f"{path}: survey file not found")
    if suffix in (".xlsx", ".xlsm"):
        csv_path = tmpdir / "survey.csv"
        xlsx_to_csv(path, csv_path)
        path, suffix = csv_path, ".csv"
    if suffix == ".parquet":
        con.execute(
            "CREATE VIEW src AS SELECT *, file_row_number + 1 AS _row "
            f"FROM read_parquet({_sql_str(str(path))}, file_row_number = true)"
        )
        return []
    # CSV: materialise as text so that nothing is coerced before we judge it, and so that rowid is
    # file order (DuckDB keeps insertion order for CREATE TABLE AS; a bare row_number() does not
    # promise it). Lines with the wrong number of fields go to the reject store, not into a guess.
    con.execute("SET preserve_insertion_order = true")
    # The dialect is fixed, not sniffed: a sniffer that meets one line with an extra field guesses
    # a different dialect for the whole file. Only the delimiter varies in practice (Excel in a
    # Vietnamese locale writes ";").
    try:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyError(f"{path}: cannot read the header line ({exc})") from exc
    delim = max((",", ";", "\t"), key=header.count)
    names = next(csv.reader([header], delimiter=delim))
    if len(set(names)) != len(names):
        raise SurveyError(f"{path}: duplicate column names in the header")
    columns = "{" + ", ".join(f"{_sql_str(n.strip())}: 'VARCHAR'" for n in names) + "}"

    def load(csv_path: Path) -> None:
        con.execute(
            "CREATE OR REPLACE TABLE src_raw AS SELECT * FROM read_csv("
            f"{_sql_str(str(csv_path))}, header = false, skip = 1, auto_detect = false, "
            f"columns = {columns}, store_rejects = true, "
            f"delim = {_sql_str(delim)}, quote = '\"', escape = '\"')"
        )

    try:
        try:
            load(path)
        except duckdb.InvalidInputException:
            # Mixed \r\n / \n line ends (files pasted together) stop DuckDB's strict parser, and its
            # lenient mode would silently cut extra fields. Normalise the line ends and retry.
            fixed = tmpdir / "survey_lf.csv"
            with (
                path.open(encoding="utf-8-sig", newline=None) as src,
                fixed.open("w", encoding="utf-8", newline="\n") as dst,
            ):
                for line in src:
                    dst.write(line)
            con.execute("DROP TABLE IF EXISTS reject_errors")
            con.execute("DROP TABLE IF EXISTS reject_scans")
            load(fixed)
    except duckdb.Error as exc:
        raise SurveyError(f"{path}: cannot read as CSV: {exc}") from exc
    bad_lines = con.execute("SELECT DISTINCT line FROM reject_errors ORDER BY line").fetchall()
    rejected: list[RejectedRow] = [
        {
            "row": int(line) - 1,
            "reason": "malformed CSV line (wrong number of fields or bad quoting)",
        }
        for (line,) in bad_lines
    ]
    if not rejected:
        con.execute("CREATE VIEW src AS SELECT *, rowid + 1 AS _row FROM src_raw")
    else:
        # A skipped line shifts every later rowid; add back the skipped lines that precede it.
        # g = valid rows before the i-th bad line; valid row p is data row p + #{g < p}.
        gaps = [r["row"] - i for i, r in enumerate(rejected, start=1)]
        con.execute("CREATE TABLE _gaps(g BIGINT)")
        con.executemany("INSERT INTO _gaps VALUES (?)", [(g,) for g in gaps])
        con.execute(
            "CREATE VIEW src AS SELECT s.*, s.rowid + 1 + "
            "(SELECT count(*) FROM _gaps WHERE g < s.rowid + 1) AS _row FROM src_raw s"
        )
    return rejected


def _column_types(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    types = {r[0]: r[1].upper() for r in con.execute("DESCRIBE src").fetchall()}
    missing = [c for c in COLUMNS if c not in types]
    if missing:
        raise SurveyError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    return types


def _is_int_type(t: str) -> bool:
    return any(k in t for k in ("INT", "HUGEINT")) and "INTERVAL" not in t


def _col_exprs(col: str, typ: str) -> tuple[str, str, str]:
    """(present, value, malformed) SQL for one column; value is BIGINT for integer columns.

    Typed Parquet columns skip the string round trip: on 60 M rows a needless cast costs seconds.
    """
    q = f'"{col}"'
    if typ == "VARCHAR":
        trimmed = f"NULLIF(TRIM({q}), '')"
        if col in INT_COLUMNS:
            value = f"TRY_CAST({trimmed} AS BIGINT)"
            return f"({trimmed} IS NOT NULL)", value, f"({trimmed} IS NOT NULL AND {value} IS NULL)"
        return (
            f"({trimmed} IS NOT NULL)",
            f"lower({trimmed})" if col != "commune_code" and col != "person_id" else trimmed,
            "false",
        )
    if col in INT_COLUMNS:
        if _is_int_type(typ):
            return f"({q} IS NOT NULL)", f"CAST({q} AS BIGINT)", "false"
        if typ in ("DOUBLE", "FLOAT") or typ.startswith("DECIMAL"):
            value = f"CASE WHEN {q} = floor({q}) THEN CAST({q} AS BIGINT) END"
            return f"({q} IS NOT NULL)", value, f"({q} IS NOT NULL AND {value} IS NULL)"
        value = f"TRY_CAST(CAST({q} AS VARCHAR) AS BIGINT)"
        return f"({q} IS NOT NULL)", value, f"({q} IS NOT NULL AND {value} IS NULL)"
    if col in ("person_id", "commune_code"):
        # Commune codes keep their leading zeros only as text; an integer column lost them, so pad
        # back to the 5-digit code (QĐ 19/2025) rather than fail every row.
        if col == "commune_code" and _is_int_type(typ):
            return f"({q} IS NOT NULL)", f"lpad(CAST({q} AS VARCHAR), 5, '0')", "false"
        return f"({q} IS NOT NULL)", q if col == "person_id" else f"CAST({q} AS VARCHAR)", "false"
    return f"({q} IS NOT NULL)", f"lower(CAST({q} AS VARCHAR))", "false"


def _checks(rs: PcgdRuleSet, year: int, check_duplicates: bool) -> list[tuple[str, str]]:
    """(condition, reason SQL) pairs; a row is rejected when any condition is true."""
    dr = rs.data_rules
    sexes = ", ".join(_sql_str(s) for s in dr.sex_values)
    dis = ", ".join(_sql_str(s) for s in DISABILITY)
    checks = [
        ("NOT person_id_p", "'missing person_id'"),
        ("NOT commune_code_p", "'missing commune_code'"),
        ("commune_code_p AND c_known IS NULL", "'unknown commune_code ' || commune_code_v"),
        ("NOT birth_year_p", "'missing birth_year'"),
        ("birth_year_m", "'malformed birth_year'"),
        (
            f"birth_year_v > {year}",
            "'impossible birth_year ' || birth_year_v || ' (after the survey year)'",
        ),
        (
            f"{year} - birth_year_v > {dr.max_age}",
            f"'impossible birth_year ' || birth_year_v || ' (older than {dr.max_age})'",
        ),
        ("NOT sex_p", "'missing sex'"),
        (f"sex_p AND sex_v NOT IN ({sexes})", "'malformed sex ' || sex_v"),
        (
            "ethnic_minority_m OR ethnic_minority_v NOT IN (0, 1)",
            "'malformed ethnic_minority (0/1)'",
        ),
        (
            f"disability_p AND disability_v NOT IN ({dis})",
            "'malformed disability ' || disability_v",
        ),
        ("NOT status_p", "'missing status'"),
        ("status_p AND s_kind IS NULL", "'malformed status ' || status_v"),
        (
            f"s_kind IS NOT NULL AND birth_year_v <= {year} AND ({year} - birth_year_v < s_lo OR {year} - birth_year_v > s_hi)",
            f"'status ' || status_v || ' inconsistent with age ' || ({year} - birth_year_v)",
        ),
        (
            "completed_preschool_m OR completed_preschool_v NOT IN (0, 1)",
            "'malformed completed_preschool (0/1)'",
        ),
        ("primary_completed_year_m", "'malformed primary_completed_year'"),
        (f"primary_completed_year_v > {year}", "'primary_completed_year after the survey year'"),
        (
            f"primary_completed_year_v - birth_year_v < {dr.primary_completed_min_age}",
            f"'primary_completed_year before age {dr.primary_completed_min_age}'",
        ),
        ("thcs_diploma_year_m", "'malformed thcs_diploma_year'"),
        (f"thcs_diploma_year_v > {year}", "'thcs_diploma_year after the survey year'"),
        (
            f"thcs_diploma_year_v - birth_year_v < {dr.thcs_diploma_min_age}",
            f"'thcs_diploma_year before age {dr.thcs_diploma_min_age}'",
        ),
        (
            "thcs_diploma_year_v < primary_completed_year_v",
            "'thcs_diploma_year before primary_completed_year'",
        ),
        (
            "literacy_level_m OR literacy_level_v NOT IN (0, 1, 2)",
            "'malformed literacy_level (0/1/2)'",
        ),
    ]
    if check_duplicates:
        checks.append(
            (
                "dup_first IS NOT NULL AND _row > dup_first",
                "'duplicate person_id (first at row ' || dup_first || ')'",
            )
        )
    return checks


def _status_rows(rs: PcgdRuleSet) -> list[tuple[str, str, int | None, int, int]]:
    """(status, kind, grade, lowest age, highest age) rows of the _status table."""
    dr = rs.data_rules
    rows: list[tuple[str, str, int | None, int, int]] = []
    for st in STATUSES:
        if st.startswith("grade_"):
            g = int(st[6:])
            rows.append((st, "grade", g, g + dr.grade_min_offset, g + dr.grade_max_offset))
        else:
            lo, hi = dr.status_ages.get(st, (0, dr.max_age))
            rows.append((st, st, None, lo, hi))
    return rows


_NUMERATORS = {
    "in_education": "s_kind <> 'not_in_school'",
    "completed_preschool": "cp = 1",
    "in_primary": "s_grade BETWEEN 1 AND 5",
    "primary_completed": "pc",
    "thcs_diploma": "thcs_diploma_year_v IS NOT NULL",
    # GDTX counts only at upper-secondary level, which needs the THCS diploma first.
    "in_upper_track": "(s_grade BETWEEN 10 AND 12 OR s_kind = 'vocational' OR (s_kind = 'gdtx' AND thcs_diploma_year_v IS NOT NULL))",
    # Completing primary is literacy level 2 by definition (TT 07/2016), whatever was recorded.
    "literate_l1": "(lit >= 1 OR pc)",
    "literate_l2": "(lit >= 2 OR pc)",
}


def count_survey(
    survey_path: Path,
    communes: dict[str, bool],
    year: int,
    rs: PcgdRuleSet,
    *,
    check_duplicates: bool = True,
    con: duckdb.DuckDBPyConnection | None = None,
) -> SurveyCounts:
    """Reject bad rows and count every rate's numerator and denominator per commune."""
    own = con is None
    con = con or connect()
    with tempfile.TemporaryDirectory(prefix="tongket_pcgd_") as tmp:
        try:
            return _count(con, Path(survey_path), communes, year, rs, check_duplicates, Path(tmp))
        finally:
            if own:
                con.close()


def _count(con, path, communes, year, rs, check_duplicates, tmpdir) -> SurveyCounts:
    rejected = _open_survey(con, path, tmpdir)
    types = _column_types(con, path)
    con.execute("SET preserve_insertion_order = false")  # the rest is order-free aggregation

    con.execute("CREATE TEMP TABLE _communes(code VARCHAR PRIMARY KEY, difficult BOOLEAN)")
    con.executemany("INSERT INTO _communes VALUES (?, ?)", list(communes.items()))
    con.execute("CREATE TEMP TABLE _status(st VARCHAR, kind VARCHAR, grade INT, lo INT, hi INT)")
    con.executemany("INSERT INTO _status VALUES (?, ?, ?, ?, ?)", _status_rows(rs))

    selects = ["_row"]
    for col in COLUMNS:
        present, value, malformed = _col_exprs(col, types[col])
        selects += [f"{present} AS {col}_p", f"{value} AS {col}_v", f"{malformed} AS {col}_m"]
    typed = f"SELECT {', '.join(selects)} FROM src"

    dup_join = ""
    dup_col = "NULL::BIGINT AS dup_first"
    if check_duplicates:
        pid = _col_exprs("person_id", types["person_id"])[1]
        con.execute(
            f"CREATE TEMP TABLE _dups AS SELECT {pid} AS pid, min(_row) AS first_row FROM src "
            f"WHERE {pid} IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
        )
        if con.execute("SELECT count(*) FROM _dups").fetchone()[0]:
            dup_join = "LEFT JOIN _dups d ON d.pid = t.person_id_v"
            dup_col = "d.first_row AS dup_first"

    con.execute(
        f"""CREATE TEMP VIEW rows AS
        SELECT t.*, c.code AS c_known, c.difficult AS c_difficult,
               s.kind AS s_kind, s.grade AS s_grade, s.lo AS s_lo, s.hi AS s_hi, {dup_col},
               {year} - t.birth_year_v AS age,
               coalesce(t.completed_preschool_v, 0) AS cp,
               coalesce(t.literacy_level_v, 0) AS lit,
               coalesce(t.disability_v, 'none') AS dis,
               (t.primary_completed_year_v IS NOT NULL OR t.thcs_diploma_year_v IS NOT NULL) AS pc
        FROM ({typed}) t
        LEFT JOIN _communes c ON c.code = t.commune_code_v
        LEFT JOIN _status s ON s.st = t.status_v
        {dup_join}"""
    )
    checks = _checks(rs, year, check_duplicates)
    bad = " OR ".join(f"coalesce({cond}, false)" for cond, _ in checks)
    reasons = ", ".join(f"CASE WHEN coalesce({cond}, false) THEN {why} END" for cond, why in checks)
    aggs, names = [], []
    excluded = rs.exclude_from_denominators
    for name, rate in rs.rates.items():
        den = [f"age BETWEEN {rate.age_min} AND {rate.age_max}"]
        if rate.population == "disabled_can_study":
            den.append("dis = 'can_study'")
        elif excluded:
            den.append(f"dis <> {_sql_str(excluded)}")
        den_sql = " AND ".join(["NOT bad", *den])
        aggs += [f"count_if({den_sql} AND {_NUMERATORS[rate.numerator]})", f"count_if({den_sql})"]
        names.append(name)
    # One pass: validity, counts and the bad rows with their reasons together. CASE evaluates its
    # branch only where the condition holds, so the reason strings cost nothing on good rows.
    result = con.execute(
        f"SELECT commune_code_v, count_if(NOT bad), {', '.join(aggs)}, "
        f"list([_row::VARCHAR, CASE WHEN bad THEN concat_ws('; ', {reasons}) END]) FILTER (WHERE bad) "
        f"FROM (SELECT *, {bad} AS bad FROM rows) GROUP BY 1"
    ).fetchall()
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    people: dict[str, int] = {}
    bad_rows: list[list[str]] = []  # [row, reasons] pairs, as DuckDB lists
    for rec in result:
        code = rec[0]
        bad_rows.extend(rec[-1] or ())
        if not rec[1]:
            continue  # only bad rows carry this code (unknown commune, say)
        people[code] = int(rec[1])
        counts[code] = {
            name: (int(rec[2 + 2 * i]), int(rec[3 + 2 * i])) for i, name in enumerate(names)
        }
    rejected.extend({"row": int(row), "reason": reason} for row, reason in bad_rows)
    rejected.sort(key=lambda r: r["row"])
    return SurveyCounts(counts, people, rejected)
