"""A fixed pool of worker threads fed by one FIFO queue (no Django import).

Report builds are heavy (seconds of CPU and a LibreOffice process each): twelve requests must
not start twelve builds. The pool starts its threads on first use and keeps them; how many may
wait is decided by the caller, which can see every process's waiting jobs in the database.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, workers: int, run: Callable[[int], object], name: str = "worker") -> None:
        self.workers = max(1, workers)
        self.run = run
        self.name = name
        self._queue: queue.Queue[int] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, item: int) -> None:
        self._start()
        self._queue.put(item)

    def waiting(self) -> int:
        return self._queue.qsize()

    def join(self) -> None:
        """Wait until every submitted item is done (for tests and shutdown)."""
        self._queue.join()

    def _start(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.workers:
                t = threading.Thread(
                    target=self._loop, name=f"{self.name}-{len(self._threads) + 1}", daemon=True
                )
                t.start()
                self._threads.append(t)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            try:
                self.run(item)
            except Exception:  # a failed item must not take its worker down
                log.exception("%s: item %s failed", self.name, item)
            finally:
                self._queue.task_done()
