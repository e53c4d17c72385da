"""A schema-driven fuzz run against the app in-process (WSGI, no network): no 5xx and no
response that breaks the published schema, on every operation, with a bounded number of
examples so it fits in `make test`."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def connections_kept_open_between_requests():
    """Schemathesis calls the WSGI application directly, and Django closes the database
    connection at the end of each request when it is inside a transaction (the test's). Django's
    own test client switches that off for its requests; do the same here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_or_breaks_the_schema(
    published, settings, connections_kept_open_between_requests
):
    settings.API_ANON_RATE = "100000/min"  # throttling has its own test
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        run()
