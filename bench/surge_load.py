"""The load generator of the surge bench: closed-loop, bounded, 127.0.0.1 only.

Each job is one school. Two ways to submit, as the API offers them:
  two-step  PUT its values, then POST submit with the version the PUT returned (the web's way);
  report    one POST …/report with the values and the explanations (a school system's way).
`concurrency` jobs run at once over at most `concurrency` connections; the run stops after the
last job or at `deadline_s`, whichever comes first, so it always ends by itself.

The client is a minimal HTTP/1.1 speaker on asyncio streams (request bytes prepared before the
clock starts, Content-Length framing, keep-alive when the server offers it): it shares the two
cores with the server, so every millisecond it spends is one the server does not get. httpx
cost ~6 ms of CPU per request here; this costs a few tenths.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MODES = ("two-step", "report")


@dataclass
class Job:
    unit_id: int
    token: str
    put_body: bytes  # JSON, serialised before the clock starts
    explanations: dict[str, str]
    report_body: bytes = b""  # the one-request body: values, explanations, version


@dataclass
class RunResult:
    wall_s: float = 0.0
    jobs: int = 0
    submitted: int = 0  # the final request answered 200 with status "submitted"
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"put": [], "submit": [], "report": []}
    )
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0
    timed_out: bool = False


class HttpError(Exception):
    pass


def _hostport(base: str) -> tuple[str, int]:
    u = urlsplit(base)
    host = u.hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the load generator only targets 127.0.0.1, not {host}")
    return host, u.port or 80


class Conn:
    """One HTTP/1.1 connection, reopened when the server closes it (gunicorn's sync workers
    close after every response)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, token: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise HttpError("connection closed before the response")
        status = int(status_line.split(b" ", 2)[1])
        length, close = None, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        data = await (self.reader.readexactly(length) if length is not None else self.reader.read())
        if close or length is None:
            self.writer.close()
            self.reader = self.writer = None
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def _two_step(conn: Conn, prefix: str, job: Job, res: RunResult) -> None:
    t = time.perf_counter()
    code, data = await conn.request("PUT", prefix + "/values", job.token, job.put_body)
    res.latencies["put"].append(time.perf_counter() - t)
    res.statuses[f"put {code}"] += 1
    if code != 200:
        res.failures.append(f"PUT {job.unit_id}: {code} {data[:200]!r}")
        return
    version = json.loads(data)["version"]
    body = json.dumps({"version": version, "explanations": job.explanations}).encode()
    t = time.perf_counter()
    code, data = await conn.request("POST", prefix + "/submit", job.token, body)
    res.latencies["submit"].append(time.perf_counter() - t)
    res.statuses[f"submit {code}"] += 1
    if code != 200:
        res.failures.append(f"submit {job.unit_id}: {code} {data[:200]!r}")
        return
    if json.loads(data).get("status") == "submitted":
        res.submitted += 1


async def _report(conn: Conn, prefix: str, job: Job, res: RunResult) -> None:
    t = time.perf_counter()
    code, data = await conn.request("POST", prefix + "/report", job.token, job.report_body)
    res.latencies["report"].append(time.perf_counter() - t)
    res.statuses[f"report {code}"] += 1
    if code != 200:
        res.failures.append(f"report {job.unit_id}: {code} {data[:200]!r}")
        return
    if json.loads(data).get("status") == "submitted":
        res.submitted += 1


async def _run(base: str, rnd_id: int, jobs: list[Job], concurrency: int, deadline_s: float, mode):
    host, port = _hostport(base)
    one = {"two-step": _two_step, "report": _report}[mode]
    res = RunResult(jobs=len(jobs))
    queue = iter(jobs)

    async def worker() -> None:
        conn = Conn(host, port)
        try:
            for job in queue:  # a shared iterator: each job is taken once
                prefix = f"/api/collection/rounds/{rnd_id}/units/{job.unit_id}"
                try:
                    await one(conn, prefix, job, res)
                except (OSError, HttpError, asyncio.IncompleteReadError, ValueError) as exc:
                    conn.close()
                    res.statuses[f"error {type(exc).__name__}"] += 1
                    res.failures.append(f"{job.unit_id}: {exc!r}")
        finally:
            conn.close()

    cpu, t = time.process_time(), time.perf_counter()
    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    done, pending = await asyncio.wait(tasks, timeout=deadline_s)
    for p in pending:
        p.cancel()
    if pending:
        res.timed_out = True
        await asyncio.gather(*pending, return_exceptions=True)
    res.wall_s = time.perf_counter() - t
    res.client_cpu_s = time.process_time() - cpu
    return res


def run(
    base: str,
    rnd_id: int,
    jobs: list[Job],
    concurrency: int,
    deadline_s: float,
    mode: str = "two-step",
) -> RunResult:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    return asyncio.run(_run(base, rnd_id, jobs, concurrency, deadline_s, mode))


def get_ok(base: str, path: str, token: str, n: int = 1) -> int:
    """Warm-up: n authenticated GETs (imports, URL resolver, DB connection in each worker)."""
    host, port = _hostport(base)

    async def go() -> int:
        ok = 0
        for _ in range(n):
            conn = Conn(host, port)
            try:
                code, _ = await conn.request("GET", path, token, b"")
            finally:
                conn.close()
            ok += code == 200
        return ok

    return asyncio.run(go())
