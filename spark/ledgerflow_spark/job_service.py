"""The local Spark job service: one warm Spark session behind a small HTTP API.

    PYTHONPATH=spark .stack/venv/bin/python -m ledgerflow_spark.job_service --host 127.0.0.1 --port 3002

Endpoints (JSON in, JSON out):

- ``POST /jobs``: a MergeJobRequest of functions/merge-trigger/job-submitter.ts,
  ``{source, bucket, objects: [{key, size, eTag, sequencer}], idempotencyKey}``;
  ``objects: []`` or ``"allPending": true`` merges every pending landing object.
  Answers 202 ``{jobId, deduplicated}``.
- ``GET /jobs/<id>``: status (queued, running, succeeded, failed), error, counts, timings.
- ``GET /jobs?source=&status=``: the jobs, newest first.
- ``POST /jobs/<id>/retry``: queues a failed job again.
- ``GET /idle?source=``: ``{idle, queued, running}``; idle means nothing queued or running.
- ``GET /health``: 200 once the Spark session is warm, 503 while starting.
- ``GET /gold``: the gold schedule: stale buckets, the run in progress, the last run.

Every request but ``GET /health`` carries ``Authorization: Bearer <JOB_SERVICE_TOKEN>``
(401 otherwise); a POST declares ``Content-Type: application/json`` (415) and at most
``MAX_BODY_BYTES`` (413); a job names the lake bucket (``LAKE_BUCKET``) and landing keys
only (400). Both settings default to local-stack/env.json's, where the merge trigger
reads the token it sends (check_request, parse_merge_request).

At start and every ``LEDGERFLOW_SWEEP_SECONDS`` (default 60) the service queues a sweep:
an all-pending merge of every source of ``LAKE_BUCKET``, so work that a crash, a lost
trigger or a kill of this service left is merged without anyone asking (merge.py, ledger.py).

A merge that loads new rows marks its bucket's gold tables stale; they are rebuilt once
the merges have settled (gold_schedule.py, ``LEDGERFLOW_GOLD_DELAY_MS``, default 5000;
``0`` turns the schedule off).
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Mapping
from urllib.parse import parse_qs, urlparse

from .contracts import contract_for, contracts
from .gold_schedule import GoldScheduler
from .session import with_local_stack_defaults
from .jobs import JobNotFoundError, JobNotRetryableError, JobQueue

log = logging.getLogger("ledgerflow.job_service")

MAX_BODY_BYTES = 8 * 1024 * 1024


class BadRequestError(ValueError):
    pass


class RequestRejectedError(Exception):
    """A request refused before its body is read, with its HTTP status and machine-readable reason."""

    def __init__(self, status: HTTPStatus, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def check_request(method: str, path: str, headers: Mapping[str, str], token: str) -> None:
    """Refuses what the service does not take, from the request line and headers (names in lower
    case) alone: anything but the health probe without the token, and a POST that is not a
    bounded JSON body."""
    if not (method == "GET" and path == "/health"):
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
            raise RequestRejectedError(HTTPStatus.UNAUTHORIZED, "unauthorized", "send Authorization: Bearer <JOB_SERVICE_TOKEN>")
    if method != "POST":
        return
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestRejectedError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "send Content-Type: application/json")
    # http.server does not decode chunked bodies: a POST states its length.
    if "transfer-encoding" in headers:
        raise RequestRejectedError(HTTPStatus.LENGTH_REQUIRED, "length-required", "send the body with a Content-Length")
    length = headers.get("content-length", "0").strip()
    if not length.isdigit():
        raise RequestRejectedError(HTTPStatus.BAD_REQUEST, "invalid-content-length", "Content-Length must be a number of bytes")
    if int(length) > MAX_BODY_BYTES:
        raise RequestRejectedError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large", f"at most {MAX_BODY_BYTES} bytes")


def parse_merge_request(body: bytes, lake_bucket: str, other_buckets: frozenset[str] = frozenset()) -> dict:
    """Checks a MergeJobRequest for the lake bucket (or one of ``other_buckets``); returns source, bucket, keys (None: all pending), idempotency key."""
    try:
        request = json.loads(body or b"null")
    except ValueError:
        raise BadRequestError("body is not valid JSON") from None
    if not isinstance(request, dict):
        raise BadRequestError("body must be a JSON object")
    source, bucket = request.get("source"), request.get("bucket")
    if not isinstance(source, str) or source not in contracts():
        raise BadRequestError(f"source must be one of {sorted(contracts())}")
    if bucket != lake_bucket and bucket not in other_buckets:
        raise BadRequestError(f"bucket must be the lake bucket {lake_bucket}")
    objects = request.get("objects", [])
    if not isinstance(objects, list) or not all(isinstance(o, dict) and isinstance(o.get("key"), str) and o["key"] for o in objects):
        raise BadRequestError("objects must be a list of {key, size, eTag, sequencer}")
    idempotency_key = request.get("idempotencyKey")
    if idempotency_key is not None and (not isinstance(idempotency_key, str) or not idempotency_key):
        raise BadRequestError("idempotencyKey must be a non-empty string")
    keys = [o["key"] for o in objects]
    prefix = contract_for(source).prefixes["landing"]
    foreign = [key for key in keys if not key.startswith(prefix)]
    if foreign:
        raise BadRequestError(f"object keys must start with {prefix}: {foreign[0]}")
    all_pending = request.get("allPending") is True or not keys
    return {"source": source, "bucket": bucket, "keys": None if all_pending else keys, "idempotency_key": idempotency_key}


def make_handler(queue: JobQueue, ready: threading.Event, gold: GoldScheduler | None = None, *, token: str, lake_bucket: str, other_buckets: frozenset[str] = frozenset()):
    class Handler(BaseHTTPRequestHandler):
        server_version = "ledgerflow-job-service"

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
            log.info("%s %s", self.address_string(), format % args)

        def _send(self, status: int, payload: dict | list) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, reason: str, message: str) -> None:
            self._send(status, {"error": reason, "message": message})

        def _rejected(self) -> bool:
            """Answers and returns True when check_request refuses the request."""
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                check_request(self.command, urlparse(self.path).path, headers, token)
            except RequestRejectedError as rejection:
                self.close_connection = True
                self._error(rejection.status, rejection.reason, str(rejection))
                return True
            return False

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self._rejected():
                return
            url = urlparse(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            parts = [part for part in url.path.split("/") if part]
            if parts == ["health"]:
                queued, running = queue.busy()
                status = HTTPStatus.OK if ready.is_set() else HTTPStatus.SERVICE_UNAVAILABLE
                return self._send(status, {"status": "ok" if ready.is_set() else "starting", "queued": queued, "running": running})
            if parts == ["gold"]:
                return self._send(HTTPStatus.OK, gold.status() if gold else {"disabled": True})
            if parts == ["idle"]:
                queued, running = queue.busy(query.get("source"))
                return self._send(HTTPStatus.OK, {"idle": queued == 0 and running == 0, "queued": queued, "running": running})
            if parts == ["jobs"]:
                jobs = sorted(queue.list(query.get("source"), query.get("status")), key=lambda job: job.submitted_at, reverse=True)
                return self._send(HTTPStatus.OK, [job.as_dict() for job in jobs])
            if len(parts) == 2 and parts[0] == "jobs":
                try:
                    return self._send(HTTPStatus.OK, queue.get(parts[1]).as_dict())
                except JobNotFoundError:
                    return self._error(HTTPStatus.NOT_FOUND, "job-not-found", f"no job {parts[1]}")
            return self._error(HTTPStatus.NOT_FOUND, "not-found", f"no route GET {url.path}")

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            if self._rejected():
                return
            parts = [part for part in urlparse(self.path).path.split("/") if part]
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            if parts == ["jobs"]:
                try:
                    request = parse_merge_request(body, lake_bucket, other_buckets)
                except BadRequestError as problem:
                    return self._error(HTTPStatus.BAD_REQUEST, "invalid-request", str(problem))
                job, deduplicated = queue.submit(**request)
                return self._send(HTTPStatus.ACCEPTED, {"jobId": job.id, "deduplicated": deduplicated})
            if len(parts) == 3 and parts[0] == "jobs" and parts[2] == "retry":
                try:
                    return self._send(HTTPStatus.ACCEPTED, queue.retry(parts[1]).as_dict())
                except JobNotFoundError:
                    return self._error(HTTPStatus.NOT_FOUND, "job-not-found", f"no job {parts[1]}")
                except JobNotRetryableError as problem:
                    return self._error(HTTPStatus.CONFLICT, "job-not-retryable", str(problem))
            return self._error(HTTPStatus.NOT_FOUND, "not-found", f"no route POST {self.path}")

    return Handler


def warm_up(spark) -> None:
    """Loads Delta's classes with a tiny MERGE on a local table, so the first job is warm."""
    from delta.tables import DeltaTable

    path = os.path.join(tempfile.mkdtemp(prefix="ledgerflow-warmup-"), "table")
    spark.range(3).write.format("delta").save(path)
    DeltaTable.forPath(spark, path).alias("t").merge(spark.range(2, 4).alias("s"), "t.id = s.id").whenNotMatchedInsertAll().execute()


def sweep_every(queue: JobQueue, bucket: str, seconds: float) -> None:
    """Queues an all-pending merge of every source now and every ``seconds``: work a crash or a
    lost trigger left, and the jobs queued when the service was killed, are re-derived from
    the lake (merge.pending_landing_keys). A sweep coalesces with the table's queued jobs."""
    while True:
        for source in sorted(contracts()):
            queue.submit(source, bucket, None, None)
        if queue.stopped.wait(seconds):
            return


def read_service_settings(env: Mapping[str, str]) -> tuple[str, str]:
    """The token requests must carry and the bucket jobs must name, from the environment
    completed with local-stack/env.json; a missing one stops the service, naming it."""
    settings = with_local_stack_defaults(env)
    token, lake_bucket = settings.get("JOB_SERVICE_TOKEN", ""), settings.get("LAKE_BUCKET", "")
    if len(token) < 16:
        raise SystemExit("JOB_SERVICE_TOKEN must be set (at least 16 characters): the job service takes only requests that carry it")
    if not lake_bucket:
        raise SystemExit("LAKE_BUCKET must be set: the job service merges that bucket only")
    return token, lake_bucket


def other_lake_buckets(env: Mapping[str, str]) -> frozenset[str]:
    """Buckets besides the lake that jobs may name (OTHER_LAKE_BUCKETS, comma-separated): the
    freshness benchmark merges a bucket of its own so that it never touches the lake."""
    return frozenset(bucket.strip() for bucket in env.get("OTHER_LAKE_BUCKETS", "").split(",") if bucket.strip())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ledgerflow_spark.job_service", description="Local Spark job service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3002)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LEDGERFLOW_JOB_WORKERS", "2")), help="tables merged side by side")
    parser.add_argument("--gold-delay-ms", type=int, default=int(os.environ.get("LEDGERFLOW_GOLD_DELAY_MS", "5000")), help="rebuild gold this long after the last merge (0: never)")
    parser.add_argument(
        "--sweep-seconds",
        type=int,
        default=int(os.environ.get("LEDGERFLOW_SWEEP_SECONDS", "60")),
        help="merge every landing object that is not done, at start and this often (0: never)",
    )
    parser.add_argument("--sweep-bucket", default=with_local_stack_defaults(os.environ).get("LAKE_BUCKET"), help="the lake bucket the sweep covers")
    parser.add_argument("--coalesce-ms", type=int, default=int(os.environ.get("LEDGERFLOW_COALESCE_MS", "500")), help="wait for more requests of a table before a run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    token, lake_bucket = read_service_settings(os.environ)
    started = time.perf_counter()
    ready = threading.Event()
    holder: dict = {}

    def run(bucket: str, source: str, keys: list[str] | None, run_id: str) -> dict:
        from .merge import run_merge

        if not ready.wait(timeout=600):
            raise RuntimeError("the Spark session did not start")
        result = run_merge(holder["spark"], bucket, source, keys, run_id)
        if gold and (result.raw_rows_loaded or result.curated_inserted or result.curated_updated or result.curated_deleted):
            gold.merged(bucket)
        return result.as_dict()

    def build(bucket: str) -> dict:
        from .gold import build_gold

        return build_gold(holder["spark"], bucket)

    queue = JobQueue(run, workers=args.workers, coalesce_seconds=args.coalesce_ms / 1000)
    gold = GoldScheduler(build, merges_busy=lambda: queue.busy() != (0, 0), delay_seconds=args.gold_delay_ms / 1000) if args.gold_delay_ms > 0 else None
    server = ThreadingHTTPServer((args.host, args.port), make_handler(queue, ready, gold, token=token, lake_bucket=lake_bucket, other_buckets=other_lake_buckets(os.environ)))
    server.daemon_threads = True

    def stop(*_signal) -> None:
        log.info("stopping")
        queue.stop()
        if gold:
            gold.stop()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    log.info("listening on http://%s:%d (starting Spark)", args.host, args.port)

    from .session import build_session

    holder["spark"] = spark = build_session()
    ready.set()
    # Warm Delta's classes while the service already takes jobs: ready means the session is up.
    if os.environ.get("LEDGERFLOW_WARMUP", "1") == "1":
        threading.Thread(target=warm_up, args=(spark,), name="warm-up", daemon=True).start()
    if args.sweep_seconds > 0 and args.sweep_bucket:
        threading.Thread(target=sweep_every, args=(queue, args.sweep_bucket, args.sweep_seconds), name="sweep", daemon=True).start()
    log.info("ready in %d ms (Spark %s)", round((time.perf_counter() - started) * 1000), spark.version)
    try:
        while not queue.stopped.wait(0.5):
            pass
    finally:
        server.server_close()
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
