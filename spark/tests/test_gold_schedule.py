"""The gold schedule's rules, with a recording runner instead of Spark (no JVM)."""

from __future__ import annotations

import threading
import time

from ledgerflow_spark.gold_schedule import GoldScheduler


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.runs: list[str] = []
        self.fail = fail

    def __call__(self, bucket: str) -> dict:
        self.runs.append(bucket)
        if self.fail:
            raise RuntimeError("reference database down")
        return {"transactions_daily": {"rows": 1, "written": True}}


def test_a_burst_of_merges_leads_to_one_gold_run_after_they_settle():
    runner = Recorder()
    scheduler = GoldScheduler(runner, merges_busy=lambda: False, delay_seconds=0.2, poll_seconds=0.02)
    try:
        for _ in range(5):
            scheduler.merged("lake")
            time.sleep(0.05)

        assert scheduler.wait_settled(timeout=5)
        assert runner.runs == ["lake"]
        assert scheduler.status()["lastRun"]["tables"] == {"transactions_daily": {"rows": 1, "written": True}}
    finally:
        scheduler.stop()


def test_waits_while_a_merge_is_queued_or_running():
    runner = Recorder()
    busy = threading.Event()
    busy.set()
    scheduler = GoldScheduler(runner, merges_busy=busy.is_set, delay_seconds=0.05, poll_seconds=0.02)
    try:
        scheduler.merged("lake")
        time.sleep(0.3)
        assert runner.runs == []

        busy.clear()

        assert scheduler.wait_settled(timeout=5)
        assert runner.runs == ["lake"]
    finally:
        scheduler.stop()


def test_a_failed_run_is_reported_and_the_next_merge_schedules_another():
    runner = Recorder(fail=True)
    scheduler = GoldScheduler(runner, merges_busy=lambda: False, delay_seconds=0.01, poll_seconds=0.02)
    try:
        scheduler.merged("lake")
        assert scheduler.wait_settled(timeout=5)
        assert scheduler.status()["lastRun"]["error"] == "RuntimeError: reference database down"

        scheduler.merged("lake")

        assert scheduler.wait_settled(timeout=5)
        assert runner.runs == ["lake", "lake"]
    finally:
        scheduler.stop()


def test_nothing_runs_without_a_merge():
    runner = Recorder()
    scheduler = GoldScheduler(runner, merges_busy=lambda: False, delay_seconds=0.01, poll_seconds=0.02)
    try:
        time.sleep(0.2)
        assert runner.runs == []
        assert scheduler.status() == {"stale": [], "running": None, "lastRun": None}
    finally:
        scheduler.stop()
