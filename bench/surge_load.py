"""The load generator of the surge bench: closed-loop, bounded, 127.0.0.1 only.

Each job is one school: PUT its values, then POST submit with the version the PUT returned.
`concurrency` jobs run at once over at most `concurrency` connections; the run stops after the
last job or at `deadline_s`, whichever comes first, so it always ends by itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass
class Job:
    unit_id: int
    token: str
    put_body: bytes  # JSON, serialised before the clock starts
    explanations: dict[str, str]


@dataclass
class RunResult:
    wall_s: float = 0.0
    jobs: int = 0
    submitted: int = 0  # submit answered 200 with status "submitted"
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"put": [], "submit": []})
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0
    timed_out: bool = False


def _check_local(base: str) -> None:
    host = httpx.URL(base).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the load generator only targets 127.0.0.1, not {host}")


async def _one(client: httpx.AsyncClient, base: str, rnd_id: int, job: Job, res: RunResult):
    url = f"{base}/api/collection/rounds/{rnd_id}/units/{job.unit_id}"
    headers = {"Authorization": f"Bearer {job.token}", "Content-Type": "application/json"}
    t = time.perf_counter()
    r = await client.put(url + "/values", content=job.put_body, headers=headers)
    res.latencies["put"].append(time.perf_counter() - t)
    res.statuses[f"put {r.status_code}"] += 1
    if r.status_code != 200:
        res.failures.append(f"PUT {job.unit_id}: {r.status_code} {r.text[:200]}")
        return
    version = r.json()["version"]
    body = json.dumps({"version": version, "explanations": job.explanations}).encode()
    t = time.perf_counter()
    r = await client.post(url + "/submit", content=body, headers=headers)
    res.latencies["submit"].append(time.perf_counter() - t)
    res.statuses[f"submit {r.status_code}"] += 1
    if r.status_code != 200:
        res.failures.append(f"submit {job.unit_id}: {r.status_code} {r.text[:200]}")
        return
    if r.json().get("status") == "submitted":
        res.submitted += 1


async def _run(base: str, rnd_id: int, jobs: list[Job], concurrency: int, deadline_s: float):
    _check_local(base)
    res = RunResult(jobs=len(jobs))
    queue = iter(jobs)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(60.0, connect=10.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False) as client:

        async def worker() -> None:
            for job in queue:  # a shared iterator: each job is taken once
                try:
                    await _one(client, base, rnd_id, job, res)
                except httpx.HTTPError as exc:
                    res.statuses[f"error {type(exc).__name__}"] += 1
                    res.failures.append(f"{job.unit_id}: {exc!r}")

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


def run(base: str, rnd_id: int, jobs: list[Job], concurrency: int, deadline_s: float) -> RunResult:
    return asyncio.run(_run(base, rnd_id, jobs, concurrency, deadline_s))


def get_ok(base: str, path: str, token: str, n: int = 1) -> int:
    """Warm-up: n authenticated GETs (imports, URL resolver, DB connection in each worker)."""
    _check_local(base)
    ok = 0
    with httpx.Client(timeout=30.0, trust_env=False) as client:
        for _ in range(n):
            r = client.get(base + path, headers={"Authorization": f"Bearer {token}"})
            ok += r.status_code == 200
    return ok
