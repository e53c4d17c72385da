"""Fixtures of the public-site tests."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fresh_page_cache() -> None:
    # Cached pages are keyed by the database's state; a test database starts over, the cache not.
    cache.clear()


@pytest.fixture(scope="module")
def _record_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # Loading the record takes seconds; a module's tests share one load (each test still runs
    # in its own transaction, rolled back), and the database is emptied after the module.
    with django_db_blocker.unblock():
        call_command("load_program", stdout=StringIO(), stderr=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def record(_record_loaded: None, db: None) -> None:
    """The shipped program record: stage 1 published on 2026-01-15, stage 2 planned."""
