"""One Spark session for the whole test session; a fresh storage root per test."""

from __future__ import annotations

import os

import pytest

from ledgerflow_spark.session import build_session, with_local_stack_defaults

from .landing import LakeFolder


@pytest.fixture(scope="session")
def spark():
    # S3 settings of the local stack (local-stack/env.json) unless the environment has its own.
    session = build_session(env=with_local_stack_defaults(os.environ), master="local[2]")
    yield session
    session.stop()


@pytest.fixture
def lake(tmp_path) -> LakeFolder:
    """A local folder laid out like the lake bucket (landing/, quarantine/, tables/)."""
    return LakeFolder(tmp_path)
