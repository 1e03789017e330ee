"""Report tests: the demo province (`demo`, `province`: tongket.core.testing.demo, registered
for the whole suite) and report jobs run inline."""

from __future__ import annotations

import pytest


@pytest.fixture
def inline_jobs(monkeypatch):
    """Run report jobs in the request's thread (a background thread cannot see the test's
    uncommitted transaction)."""
    from tongket.reports import actions

    monkeypatch.setattr(actions, "launch", actions.run_job)
