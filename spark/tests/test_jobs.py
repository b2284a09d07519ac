"""The job service's queue with the real merge: coalescing, idempotency keys, failure and retry."""

from __future__ import annotations

from pyspark.testing import assertDataFrameEqual

from ledgerflow_spark.jobs import FAILED, SUCCEEDED, JobQueue
from ledgerflow_spark.layout import batch_object_key
from ledgerflow_spark.merge import run_merge

from .landing import upsert


def merge_runner(spark):
    return lambda bucket, source, keys, run_id: run_merge(spark, bucket, source, keys, run_id).as_dict()


def test_a_burst_of_requests_for_one_table_is_one_merge_run(spark, lake):
    queue = JobQueue(merge_runner(spark), workers=1, coalesce_seconds=0, start=False)
    keys = [lake.landing([upsert(f"t{n}", "2026-03-01T10:00:00.000Z", n)]) for n in range(5)]
    jobs = [queue.submit("transactions", lake.root, [key], f"key-{n}")[0] for n, key in enumerate(keys)]

    queue.start()
    assert queue.wait_idle()

    assert {job.status for job in jobs} == {SUCCEEDED}
    assert len({job.run_id for job in jobs}) == 1
    assert jobs[0].coalesced_jobs == 5 and jobs[0].counts["landingObjectsLoaded"] == 5
    curated = spark.read.format("delta").load(lake.table("curated")).select("transactionId")
    assertDataFrameEqual(curated, [(f"t{n}",) for n in range(5)])
    queue.stop()


def test_a_repeated_idempotency_key_returns_the_first_job(spark, lake):
    queue = JobQueue(merge_runner(spark), workers=1, coalesce_seconds=0, start=False)
    key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0)])

    first, first_deduplicated = queue.submit("transactions", lake.root, [key], "same-key")
    again, again_deduplicated = queue.submit("transactions", lake.root, [key], "same-key")

    assert (first_deduplicated, again_deduplicated) == (False, True)
    assert again.id == first.id
    assert len(queue.list("transactions")) == 1
    queue.stop()


def test_a_failed_job_leaves_the_queue_working_and_can_be_retried(spark, lake):
    queue = JobQueue(merge_runner(spark), workers=1, coalesce_seconds=0)
    missing = batch_object_key("landing", "transactions", "ingest.transactions", 0, 7, 7)

    failed, _ = queue.submit("transactions", lake.root, [missing], "not-there-yet")
    assert queue.wait_idle()
    other, _ = queue.submit("transactions", lake.root, [lake.landing([upsert("t2", "2026-03-01T10:00:00.000Z", 2)])], "other")
    assert queue.wait_idle()

    assert failed.status == FAILED and failed.error
    assert other.status == SUCCEEDED
    lake.landing([upsert("t7", "2026-03-01T10:00:00.000Z", 7)])
    queue.retry(failed.id)
    assert queue.wait_idle()
    assert (failed.status, failed.attempts) == (SUCCEEDED, 2)
    assertDataFrameEqual(spark.read.format("delta").load(lake.table("curated")).select("transactionId"), [("t2",), ("t7",)])
    queue.stop()
