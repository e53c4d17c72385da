"""Fixtures shared by every test. Model factories live in tests/factories.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from evaluations.roles import Role
from tests.factories import UserFactory

# In CI the property tests run a fixed set of examples, so a landing never depends on the seed;
# locally they keep exploring new examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI", "").strip().lower() == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def staff_user(db: None) -> Callable[..., Any]:
    """`staff_user("clerk")`: an active staff account in the group of that role."""

    def make(role: Role | str, **fields: Any) -> Any:
        role = Role(role)
        user = UserFactory(username=fields.pop("username", f"{role}-user"), is_staff=True, **fields)
        user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def superuser(db: None) -> Any:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Real hashers are slow by design; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def published_cache_per_test(settings: Any) -> Any:
    """Each test has its own published response cache (config/published_cache.py): a namespace
    of its own in the shared cache (Redis in CI, which other tests' workers also use, so it is
    not flushed), an empty per-process table, and the public version looked up on every
    request, so a test sees a publication the moment it makes one."""
    import uuid

    from config.published_cache import published_cache_clear

    settings.PUBLISHED_CACHE_NAMESPACE = f"test-{uuid.uuid4().hex}"
    settings.PUBLISHED_CACHE_VERSION_SECONDS = 0
    published_cache_clear()
    yield
    published_cache_clear()


@pytest.fixture(autouse=True)
def eager_tasks_outside_service_tests(request: pytest.FixtureRequest) -> Any:
    """Run Celery tasks in-process, as the embedded default does, even when REDIS_URL is set.

    Only the tests marked `services` talk to a real broker and worker (tests/integration).
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def default_language_around_each_test() -> Any:
    """Every test starts and ends in the site's default language (Korean).

    A request in English (a staff screen with an English cookie, an /en/ page) activates English
    in the thread; without this a later test would read English messages where Korean is meant.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright, for tests/browser and tests/drills.

    One for the whole session, defined here so both share it: a process can run only one
    Playwright sync session at a time. Without Chromium a test is skipped locally with the
    reason; under CI=true it fails, since a silently skipped test there would hide a broken page.
    """
    if not CHROMIUM.exists():
        reason = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI must run the browser tests, but this machine {reason}.")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # are still plain synchronous code, so Django's async-safety guard must stand aside.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
