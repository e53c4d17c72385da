"""The publication hash chain: served by the API, checked by the newsroom's script."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from django.db import connection

from evaluations.models import Publication
from evaluations.selectors import publication_chain_check
from evaluations.services.publication import decision_change, publication_correct

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"


def load_script():
    spec = importlib.util.spec_from_file_location("verify_chain", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def corrected(published):
    admin = published.users["admin"]
    decision_change(
        participation_id=published.participations["gamma"].pk,
        user=admin,
        outcome="eliminated",
        reason_ko="재심",
        reason_en="Appeal",
    )
    publication_correct(stage_id=published.stage.pk, user=admin, note_en="Appeal upheld")
    return published


def chain(client, scenario):
    response = client.get(f"/api/v1/programs/{scenario.program.slug}/chain/")
    assert response.status_code == 200
    return response.json()


def test_corrections_extend_the_chain_and_the_script_accepts_it(corrected, client):
    links = chain(client, corrected)
    assert [link["record"]["sequence"] for link in links] == [1, 2]
    assert links[1]["record"]["previous_digest"] == links[0]["digest"]
    assert links[1]["record"]["corrects_sequence"] == 1
    assert load_script().verify_links(links) == []
    assert publication_chain_check(program=corrected.program) == []
    # Every publication shows the digest the chain lists.
    first = client.get(f"/api/v1/publications/{links[0]['publication']}/").json()
    assert first["digest"] == links[0]["digest"]


def test_a_publication_changed_behind_the_apps_back_is_caught(corrected, client):
    script = load_script()
    saved = {str(link["publication"]): link["digest"] for link in chain(client, corrected)}
    first = Publication.objects.order_by("pk").first()
    payload = dict(first.payload)
    payload["rows"] = [dict(row) for row in payload["rows"]]
    payload["rows"][0]["total"] = "99.9"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evaluations_publication SET payload = %s WHERE id = %s",
            [json.dumps(payload), first.pk],
        )
    from django.core.cache import cache

    cache.clear()  # a shared cache would keep serving the old body; the database is what changed
    problems = script.verify_links(chain(client, corrected), saved)
    assert any("changed in place" in problem for problem in problems)
    assert publication_chain_check(program=corrected.program)


def test_a_rewritten_chain_is_caught_by_the_saved_digests(corrected, client):
    script = load_script()
    links = chain(client, corrected)
    saved = {str(link["publication"]): link["digest"] for link in links}
    # A forger recomputes every digest after changing the first record.
    links[0]["record"]["payload"]["rows"][0]["total"] = "99.9"
    previous = ""
    for link in links:
        link["record"]["previous_digest"] = previous
        link["digest"] = (
            __import__("hashlib").sha256(script.canonical_json(link["record"])).hexdigest()
        )
        previous = link["digest"]
    assert script.verify_links(links) == []  # self-consistent…
    assert script.verify_links(links, saved)  # …but not what the newsroom saw before
