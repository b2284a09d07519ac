"""One Spark session for the whole test session; a fresh storage root per test."""

from __future__ import annotations

import pytest

from ledgerflow_spark.session import build_session

from .landing import LakeFolder


@pytest.fixture(scope="session")
def spark():
    session = build_session(master="local[2]")
    yield session
    session.stop()


@pytest.fixture
def lake(tmp_path) -> LakeFolder:
    """A local folder laid out like the lake bucket (landing/, quarantine/, tables/)."""
    return LakeFolder(tmp_path)
