"""Real-browser tests: Playwright driving the system's chromium against Django's live server.

The fixtures are registered once for the whole suite (`pytest_plugins` in conftest.py);
importing them into a test module would make a second Playwright instance. Use:

    from tongket.core.testing.browser import login

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True)
    def test_something(keep_reference_data, live_server, page):
        login(page, live_server, "so11", "matkhau123")
        page.goto(live_server.url + "/analytics/")

Why each piece:
- A failed browser test leaves full-page screenshots of its open pages in test-artifacts/
  (a pytest hook here records each phase's outcome; `page` and `screen` shoot on teardown).
- Chromium is Debian's (/usr/bin/chromium, installed by CI's .ci/run), not Playwright's own
  download: no network at test time. Without a browser (or without the playwright package)
  the tests are *skipped* with the reason, never failed.
- live_server needs a transactional database (pytest-django forces it), and a transactional
  test ends with a flush that empties every table, including the real unit tree and the
  catalog that the session fixture (conftest.py) loaded once for everyone.
  `keep_reference_data` makes sure the tree and catalog are there when a test starts (an
  earlier transactional test may have flushed them); the module-scoped
  `reference_data_module` it depends on is torn down *after* the tests' own database
  fixtures, so it loads them again after the module's last flush and tests that run later
  still find them. pytest-django runs transactional tests after all the others, so this
  costs one reload (~10 s) per module (plus one per extra transactional test in it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/lib/chromium/chromium",
    "/usr/bin/google-chrome",
)
# Root in a container has no user namespace for chromium's sandbox; /dev/shm is often tiny.
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    """TONGKET_CHROMIUM if set, else the first chromium found on the system."""
    explicit = os.environ.get("TONGKET_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for path in CANDIDATES:
        if os.path.exists(path):
            return path
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright chưa được cài (.venv/bin/pip install playwright)")
    path = chromium_path()
    if path is None:
        pytest.skip("không tìm thấy chromium (apt-get install -y chromium)")
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls when it sees one; the test's own ORM calls are plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        except Exception as exc:  # a broken install must skip, not fail, the suite
            pytest.skip(f"không khởi động được chromium ({path}): {exc}")
        yield b
        b.close()


ARTIFACTS = "test-artifacts"  # screenshots of failed browser tests (ignored by git)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture's teardown knows whether the
    test failed (and saves what the browser showed)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _failed(request) -> bool:
    return any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


def save_screenshots(request, pages, tag: str = "page") -> list[str]:
    """Full-page screenshots of the pages into test-artifacts/ (TONGKET_TEST_ARTIFACTS to
    move it), named after the test; returns the paths written."""
    import re
    from pathlib import Path

    folder = Path(os.environ.get("TONGKET_TEST_ARTIFACTS") or request.config.rootpath / ARTIFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
    written = []
    for i, pg in enumerate(pages):
        width = (pg.viewport_size or {}).get("width", "")
        path = folder / f"{stem}-{tag}{i}-{width}px.png"
        try:
            pg.screenshot(path=str(path), full_page=True)
        except Exception:  # a crashed or closed page: the other screenshots still help
            continue
        written.append(str(path))
    return written


@pytest.fixture
def page(browser, request) -> Iterator:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    if _failed(request):
        # the test's page and any other user's context it opened on the browser itself
        # (pages of `screen` are shot by that fixture)
        save_screenshots(request, [p for c in browser.contexts for p in c.pages])
    context.close()


@pytest.fixture
def screen(browser, request) -> Iterator:
    """`screen(width, height=900)`: a new page with its own context at that viewport (1366 for
    a desk, 390 for a phone); screenshots of all of them when the test fails; closed after."""
    opened = []

    def open_page(width: int = 1366, height: int = 900):
        ctx = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        ctx.set_default_timeout(TIMEOUT_MS)
        opened.append(ctx)
        return ctx.new_page()

    yield open_page
    if _failed(request):
        save_screenshots(request, [p for c in opened for p in c.pages], tag="screen")
    for ctx in opened:
        ctx.close()


def _reference_data_present() -> bool:
    from tongket.catalog.models import Indicator
    from tongket.units.models import OrgUnit, UnitKind

    return OrgUnit.objects.filter(kind=UnitKind.PROVINCE).exists() and Indicator.objects.exists()


def _load_reference_data() -> None:
    from tongket.catalog.actions import load_pack
    from tongket.units.loader import load_real_tree

    load_real_tree()
    load_pack()


@pytest.fixture(scope="module")
def reference_data_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Loads the tree and catalog again after the module's last flush (see the docstring)."""
    yield
    with django_db_blocker.unblock():
        if not _reference_data_present():
            _load_reference_data()


@pytest.fixture
def keep_reference_data(reference_data_module, django_db_blocker) -> Iterator[None]:
    """The tree and catalog are there when the test starts, even if an earlier transactional
    test (in this module or another) flushed them."""
    with django_db_blocker.unblock():
        if not _reference_data_present():
            _load_reference_data()
    yield


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the real login form and wait until the site has let us in."""
    base = live_server.url if hasattr(live_server, "url") else str(live_server)
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    if "/login/" in page.url:
        raise AssertionError(f"đăng nhập không thành công cho '{username}'")


__all__ = [
    "browser",
    "chromium_path",
    "keep_reference_data",
    "login",
    "page",
    "pytest_runtest_makereport",
    "reference_data_module",
    "save_screenshots",
    "screen",
]
