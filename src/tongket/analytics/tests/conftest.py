"""Every test starts and ends with no process-wide engine: the database is rolled back
between tests, so an engine built in one test would hold another test's figures."""

from __future__ import annotations

import pytest

from tongket.analytics import service


@pytest.fixture(autouse=True)
def fresh_engine():
    service.reset()
    yield
    service.reset()
