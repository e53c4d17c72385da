"""Headless Chromium (Debian's package) driven by Playwright against the live test server.

These tests need /usr/bin/chromium. Without it they are skipped locally with the reason; in CI
(`CI=true`) they fail instead, since a silently skipped test there would hide a broken page.
The `browser` fixture itself is in tests/conftest.py, shared with the drills in tests/drills.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TIMEOUT_MS = 15_000

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# still plain synchronous code, so Django's async-safety guard must stand aside here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def screenshot(page: Any, request: pytest.FixtureRequest) -> Any:
    """`screenshot("grid-saved")` saves the page to tests/browser/screenshots/<test>/NN-name.png
    (gitignored), numbered in the order taken, so a person can look at each screen."""
    folder = SCREENSHOTS / request.node.name
    if folder.exists():
        for old in folder.glob("*.png"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    taken = [0]

    def take(name: str) -> Path:
        taken[0] += 1
        path = folder / f"{taken[0]:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
