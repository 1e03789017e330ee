"""Test database: the real unit tree and the catalog pack are loaded once per session, then every
test runs inside a transaction that is rolled back (pytest-django's default)."""

from __future__ import annotations

import pytest

# browser, page, keep_reference_data: the real-browser fixtures; demo, province: the demo
# province built once per module; for every app's tests
pytest_plugins = ["tongket.core.testing.browser", "tongket.core.testing.demo"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tongket.catalog.actions import load_pack
    from tongket.units.loader import load_real_tree

    with django_db_blocker.unblock():
        load_real_tree()
        load_pack()
