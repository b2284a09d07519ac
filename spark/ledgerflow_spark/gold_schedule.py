"""When the job service rebuilds the gold tables: once the merges have settled.

A merge that changed a lake table marks the gold tables of its bucket as stale; they are
rebuilt when no merge has changed anything for ``delay`` seconds and no merge is queued or
running, so a burst of merges leads to one gold run, not one per merge. Kept apart from
HTTP and Spark (the run is a function), like jobs.py.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger("ledgerflow.gold_schedule")

# bucket -> what the gold run reports (per table: rows, written, ms)
GoldRunner = Callable[[str], dict]


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class GoldScheduler:
    def __init__(self, run: GoldRunner, merges_busy: Callable[[], bool], delay_seconds: float = 5.0, poll_seconds: float = 0.5, start: bool = True) -> None:
        self._run = run
        self._merges_busy = merges_busy
        self._delay = delay_seconds
        self._poll = poll_seconds
        self._stale: dict[str, float] = {}  # bucket -> when a merge last changed it
        self._running: str | None = None
        self._last: dict | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="gold", daemon=True)
        if start:
            self._thread.start()

    def merged(self, bucket: str) -> None:
        """A merge changed tables of this bucket: its gold tables are stale."""
        with self._changed:
            self._stale[bucket] = time.time()
            self._changed.notify_all()

    def status(self) -> dict:
        with self._changed:
            return {"stale": sorted(self._stale), "running": self._running, "lastRun": self._last}

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def _next_bucket(self) -> str | None:
        """Waits for a stale bucket whose merges have been quiet for the delay; None once stopping."""
        with self._changed:
            while not self._stopping:
                due = [bucket for bucket, changed in self._stale.items() if time.time() - changed >= self._delay]
                if due and not self._merges_busy():
                    bucket = due[0]
                    del self._stale[bucket]
                    self._running = bucket
                    return bucket
                self._changed.wait(timeout=self._poll if self._stale else None)
            return None

    def _work(self) -> None:
        while (bucket := self._next_bucket()) is not None:
            started = time.time()
            try:
                tables, error = self._run(bucket), None
            except Exception as failure:  # recorded and logged; the next merge schedules another run
                log.exception("gold run for %s failed", bucket)
                tables, error = None, f"{type(failure).__name__}: {str(failure).splitlines()[0][:500] if str(failure) else ''}"
            with self._changed:
                self._running = None
                self._last = {"bucket": bucket, "startedAt": _iso(started), "runMs": round((time.time() - started) * 1000), "tables": tables, "error": error}
                self._changed.notify_all()
            log.info("gold run for %s %s", bucket, "failed" if error else "succeeded")

    def wait_settled(self, timeout: float = 600) -> bool:
        """Blocks until nothing is stale or running; False on timeout."""
        deadline = time.time() + timeout
        with self._changed:
            while self._stale or self._running:
                if time.time() > deadline:
                    return False
                self._changed.wait(timeout=self._poll)
        return True
