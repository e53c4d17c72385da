"""The OpenAPI schema and its docs, served by the app with no outside requests."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3(client, tmp_path):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/stages/{id}/standings/" in schema["paths"]
    standings = schema["paths"]["/api/v1/stages/{id}/standings/"]["get"]["responses"]
    assert {"200", "404", "429"} <= set(standings)
    assert set(standings["200"]["content"]) >= {"application/json", "text/csv"}


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["info"]["version"] == "1"


def test_the_docs_page_loads_its_files_from_the_app(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    # The Content Security Policy allows no inline script: Swagger UI's setup is a file too.
    assert "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
