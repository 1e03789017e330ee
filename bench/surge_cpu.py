"""CPU accounting of the surge bench from /proc: gunicorn, PostgreSQL, the load generator and
the rest of the machine."""

from __future__ import annotations

import contextlib
import os
import threading

TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / TICK  # utime + stime
    except (OSError, IndexError):
        return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, IndexError), open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
    return out


def _postgres_pids() -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{d}/comm") as f:
                if f.read().strip() == "postgres":
                    out.append(int(d))
    return out


def _machine() -> tuple[float, float]:
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) / TICK, idle / TICK


class CpuMeter:
    """CPU seconds used by gunicorn (master + workers), PostgreSQL (all its processes: other
    jobs on the same server count too), this process (the load generator), and the whole
    machine; what is left is other jobs on the machine. Processes come and go (a database
    connection closes, a worker restarts), so a thread samples every process's counters every
    0.25 s and the last value seen counts."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self._stop = threading.Event()
        self._seen: dict[tuple[str, int], tuple[float, float]] = {}  # first, last

    def _sample(self) -> None:
        pids = [("gunicorn", p) for p in (self.server_pid, *_children(self.server_pid))]
        pids += [("postgres", p) for p in _postgres_pids()]
        for key in pids:
            cpu = _proc_cpu(key[1])
            first = self._seen.get(key, (None, 0.0))[0]
            self._seen[key] = (cpu if first is None else first, cpu)

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._seen.clear()
        self._sample()
        self._t0, self._m0 = os.times(), _machine()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        t1, m1 = os.times(), _machine()
        out = {"gunicorn": 0.0, "postgres": 0.0}
        for (kind, _pid), (first, last) in self._seen.items():
            out[kind] += last - first
        out["loadgen"] = (t1.user + t1.system) - (self._t0.user + self._t0.system)
        out["machine_total"] = m1[0] - self._m0[0]
        out["machine_busy"] = out["machine_total"] - (m1[1] - self._m0[1])
        out["others"] = max(
            0.0, out["machine_busy"] - out["gunicorn"] - out["postgres"] - out["loadgen"]
        )
        self.result = out
