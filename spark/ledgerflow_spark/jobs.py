"""The job queue behind the job service: coalescing, de-duplication, one run per table.

Kept apart from HTTP and from Spark: a ``Runner`` does the work, so the queue's rules
(coalescing, idempotency keys, retries, one run at a time per table) read on their own.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable

log = logging.getLogger("ledgerflow.jobs")

# (bucket, source, object keys or None for every pending object, run id) -> counts
Runner = Callable[[str, str, "list[str] | None", str], dict]

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def _now() -> float:
    return time.time()


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment * 1000) % 1000:03d}Z"


@dataclass
class Job:
    id: str
    source: str
    bucket: str
    keys: list[str] | None
    idempotency_key: str | None
    status: str = QUEUED
    submitted_at: float = field(default_factory=_now)
    started_at: float | None = None
    finished_at: float | None = None
    attempts: int = 0
    run_id: str | None = None
    coalesced_jobs: int = 0
    error: str | None = None
    counts: dict | None = None

    @property
    def table(self) -> tuple[str, str]:
        return (self.bucket, self.source)

    def as_dict(self) -> dict:
        return {
            "jobId": self.id,
            "source": self.source,
            "bucket": self.bucket,
            "objects": None if self.keys is None else len(self.keys),
            "allPending": self.keys is None,
            "idempotencyKey": self.idempotency_key,
            "status": self.status,
            "attempts": self.attempts,
            "runId": self.run_id,
            "coalescedJobs": self.coalesced_jobs,
            "error": self.error,
            "counts": self.counts,
            "submittedAt": _iso(self.submitted_at),
            "startedAt": _iso(self.started_at),
            "finishedAt": _iso(self.finished_at),
            "queuedMs": None if self.started_at is None else round((self.started_at - self.submitted_at) * 1000),
            "runMs": None if self.finished_at is None or self.started_at is None else round((self.finished_at - self.started_at) * 1000),
        }


class JobNotFoundError(KeyError):
    pass


class JobNotRetryableError(ValueError):
    pass


class JobQueue:
    """Queued merge requests, run by worker threads.

    - Requests queued for the same table (bucket, source) are coalesced into one run:
      a burst of many small landing objects is one Spark run, not one per object.
    - At most one run per table at a time; different tables may run side by side.
    - A repeated idempotency key returns the job it named, without a new run.
    - A failed run fails its jobs and leaves the queue working; a failed job can be retried.
    """

    def __init__(self, runner: Runner, workers: int = 1, coalesce_seconds: float = 0.5, start: bool = True, max_jobs: int = 10_000) -> None:
        self._runner = runner
        self._max_jobs = max_jobs
        self._coalesce_seconds = coalesce_seconds
        self._jobs: dict[str, Job] = {}
        self._by_idempotency_key: dict[str, str] = {}
        self._queue: list[str] = []
        self._running_tables: set[tuple[str, str]] = set()
        self._changed = threading.Condition()
        self._stopping = False
        self.stopped = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"merge-worker-{n}", daemon=True) for n in range(workers)]
        if start:
            self.start()

    def start(self) -> None:
        """Starts the workers (a queue built with ``start=False`` only collects requests)."""
        for thread in self._threads:
            thread.start()

    # ---------------------------------------------------------------- requests

    def submit(self, source: str, bucket: str, keys: Iterable[str] | None, idempotency_key: str | None) -> tuple[Job, bool]:
        """Queues a job; returns it and whether an earlier job had the same idempotency key."""
        with self._changed:
            if idempotency_key and idempotency_key in self._by_idempotency_key:
                return self._jobs[self._by_idempotency_key[idempotency_key]], True
            job = Job(id=uuid.uuid4().hex, source=source, bucket=bucket, keys=None if keys is None else sorted(set(keys)), idempotency_key=idempotency_key)
            self._forget_oldest_finished()
            self._jobs[job.id] = job
            if idempotency_key:
                self._by_idempotency_key[idempotency_key] = job.id
            self._queue.append(job.id)
            self._changed.notify_all()
        log.info("job %s queued: source=%s objects=%s", job.id, source, "all-pending" if job.keys is None else len(job.keys))
        return job, False

    def _forget_oldest_finished(self) -> None:
        """Keeps memory bounded; a forgotten idempotency key is still safe, since the
        merge's own ledger makes a repeated run a no-op."""
        finished = [job for job in self._jobs.values() if job.status in (SUCCEEDED, FAILED)]
        for job in sorted(finished, key=lambda job: job.submitted_at)[: max(0, len(self._jobs) - self._max_jobs)]:
            del self._jobs[job.id]
            if job.idempotency_key and self._by_idempotency_key.get(job.idempotency_key) == job.id:
                del self._by_idempotency_key[job.idempotency_key]

    def retry(self, job_id: str) -> Job:
        with self._changed:
            job = self.get(job_id)
            if job.status != FAILED:
                raise JobNotRetryableError(f"job {job_id} is {job.status}; only a failed job can be retried")
            job.status, job.error, job.submitted_at = QUEUED, None, _now()
            job.started_at = job.finished_at = None
            self._queue.append(job.id)
            self._changed.notify_all()
        log.info("job %s queued again (retry)", job_id)
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFoundError(job_id)
        return job

    def list(self, source: str | None = None, status: str | None = None) -> list[Job]:
        with self._changed:
            jobs = list(self._jobs.values())
        return [job for job in jobs if (source is None or job.source == source) and (status is None or job.status == status)]

    def busy(self, source: str | None = None) -> tuple[int, int]:
        """(queued, running) jobs, for one source or all."""
        jobs = self.list(source)
        return sum(job.status == QUEUED for job in jobs), sum(job.status == RUNNING for job in jobs)

    def wait_idle(self, source: str | None = None, timeout: float = 600) -> bool:
        """Blocks until no job (of the source) is queued or running; False on timeout."""
        deadline = _now() + timeout
        with self._changed:
            while self.busy_locked(source) != (0, 0):
                remaining = deadline - _now()
                if remaining <= 0:
                    return False
                self._changed.wait(timeout=remaining)
        return True

    def busy_locked(self, source: str | None) -> tuple[int, int]:
        jobs = [job for job in self._jobs.values() if source is None or job.source == source]
        return sum(job.status == QUEUED for job in jobs), sum(job.status == RUNNING for job in jobs)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self.stopped.set()

    # ---------------------------------------------------------------- workers

    def _next_batch(self) -> list[Job] | None:
        """Waits for queued jobs of a table that is not running; takes all of that table's."""
        with self._changed:
            while not self._stopping:
                ready = [self._jobs[job_id] for job_id in self._queue if self._jobs[job_id].table not in self._running_tables]
                if ready:
                    first = ready[0]
                    wait = first.submitted_at + self._coalesce_seconds - _now()
                    if wait <= 0:
                        batch = [job for job in ready if job.table == first.table]
                        self._queue = [job_id for job_id in self._queue if self._jobs[job_id].table != first.table]
                        self._running_tables.add(first.table)
                        started = _now()
                        for job in batch:
                            job.status, job.started_at, job.attempts = RUNNING, started, job.attempts + 1
                        return batch
                    self._changed.wait(timeout=wait)
                else:
                    self._changed.wait()
            return None

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            first = batch[0]
            keys: list[str] | None = []
            for job in batch:
                if job.keys is None or keys is None:
                    keys = None
                else:
                    keys.extend(job.keys)
            keys = None if keys is None else sorted(set(keys))
            run_id = uuid.uuid4().hex
            log.info("run %s: source=%s jobs=%d objects=%s", run_id, first.source, len(batch), "all-pending" if keys is None else len(keys))
            try:
                counts = self._runner(first.bucket, first.source, keys, run_id)
                status, error = SUCCEEDED, None
            except Exception as failure:  # the job records it; the service keeps serving
                log.exception("run %s failed", run_id)
                counts, status, error = None, FAILED, f"{type(failure).__name__}: {str(failure).splitlines()[0][:500] if str(failure) else ''}"
            finished = _now()
            with self._changed:
                for job in batch:
                    job.status, job.error, job.counts, job.finished_at = status, error, counts, finished
                    job.run_id, job.coalesced_jobs = run_id, len(batch)
                self._running_tables.discard(first.table)
                self._changed.notify_all()
            log.info("run %s %s in %d ms", run_id, status, round((finished - first.started_at) * 1000))
