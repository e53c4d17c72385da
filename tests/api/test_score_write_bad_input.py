"""The bad-input drill on the staff write API (see tests/bad_input.py): any JSON (or not JSON)
posted to /api/v1/staff/scores/ or put on a score gets an answer in the API's error shape naming
the field, never a server error, and a refused write changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import event, example, given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluations.models import Score
from tests.bad_input import (
    build_drill_stage,
    drill_settings,
    evaluator_texts,
    good_marks,
    mark_texts,
    posted_marks,
    score_fingerprint,
)
from tests.builders import StageScenario

pytestmark = pytest.mark.django_db

FIELDS = {"participation", "criterion", "evaluator_code", "value"}


@pytest.fixture
def drill() -> StageScenario:
    return build_drill_stage()


@pytest.fixture
def api(drill: StageScenario) -> APIClient:
    token, _ = Token.objects.get_or_create(user=drill.users["clerk"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three times in four the usual value, else an odd one."""
    return st.integers(0, 3).flatmap(lambda pick: odd if pick == 0 else usual)


# "@alpha" and "@nia" stand for the ids of that team's participation and that criterion.
CELLS = [("@nia", ""), ("@tgt", ""), ("@expert", "E01"), ("@user", "E02"), ("@benchmark", "")]
ODD = {
    "participation": json_values,
    "criterion": json_values,
    "evaluator_code": evaluator_texts | json_values,
    "value": mark_texts | json_values,
}


@st.composite
def score_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A right body for a mark of this stage with none, some or all of its fields spoilt:
    replaced by anything at all, or left out."""
    criterion, evaluator = draw(st.sampled_from(CELLS))
    body: dict[str, Any] = {
        "participation": draw(st.sampled_from(["@alpha", "@beta"])),
        "criterion": criterion,
        "evaluator_code": evaluator,
        "value": draw(good_marks),
    }
    spoilt = draw(st.sampled_from([0, 0, 1, 1, 2, 4]))
    for field in draw(st.permutations(sorted(ODD)))[:spoilt]:
        if draw(st.integers(0, 4)) == 0:
            del body[field]
        else:
            body[field] = draw(ODD[field])
    return body


not_json = st.sampled_from(
    [b"", b"{", b"\xff\xfe", b"NaN", b'{"value": NaN}', b'{"value": Infinity}', b"[]", b"null"]
)


def with_ids(drill: StageScenario, body: Any) -> Any:
    if isinstance(body, dict):
        return {key: with_ids(drill, value) for key, value in body.items()}
    if isinstance(body, str) and body.startswith("@"):
        ref = body[1:]
        if ref in drill.participations:
            return drill.participations[ref].pk
        if ref in drill.criteria:
            return drill.criteria[ref].pk
    return body


def assert_refusal_names_the_field(response: Any, *, sent_an_object: bool) -> None:
    """The API's one error shape; a refusal of a JSON object's content names the field it is
    about (a body that is not an object has no field to name)."""
    body = response.json()
    assert body["code"] and body["message"] and body["errors"], body
    if response.status_code == 400 and sent_an_object:
        assert all(error["field"] in FIELDS for error in body["errors"]), body


def check_write(send: Any, expect_ok: Any, *, sent_an_object: bool) -> None:
    with transaction.atomic():
        before = score_fingerprint()
        response = send()
        assert response.status_code < 500
        code = response.json().get("code", "") if response.status_code >= 400 else ""
        event(f"{response.status_code} {code}".strip())
        if response.status_code >= 400:
            assert_refusal_names_the_field(response, sent_an_object=sent_an_object)
            assert score_fingerprint() == before
        else:
            expect_ok(response)
        transaction.set_rollback(True)


def stored_as_sent(response: Any, sent: Any) -> None:
    saved = Score.objects.get(pk=response.json()["id"])
    if sent is None or (isinstance(sent, str) and sent.strip() in ("", "비공개")):
        assert saved.value is None
    else:
        assert saved.value == Decimal(str(sent).strip())


@drill_settings(120)
@given(body=mostly(score_bodies(), json_values))
@example(body={"participation": "@alpha", "criterion": "@tgt", "value": "1e400"})  # was: 500
@example(body={"participation": "@alpha", "criterion": "@tgt", "value": "1234567"})  # was: 500
@example(body={"participation": "@alpha", "criterion": "@tgt", "value": "12.5000"})
def test_a_posted_score_is_created_or_refused_naming_the_field(drill, api, body):
    body = with_ids(drill, body)

    def expect_created(response: Any) -> None:
        assert response.status_code == 201
        stored_as_sent(response, body["value"])

    check_write(
        lambda: api.post("/api/v1/staff/scores/", body, format="json"),
        expect_created,
        sent_an_object=isinstance(body, dict),
    )


@drill_settings(30)
@given(raw=not_json, form=st.booleans())
def test_a_body_that_is_not_json_is_refused(drill, api, raw, form):
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    check_write(
        lambda: api.generic("POST", "/api/v1/staff/scores/", raw, content_type=content_type),
        lambda response: pytest.fail(f"accepted {raw!r}: {response.status_code}"),
        sent_an_object=False,
    )


@drill_settings(80)
@given(
    value=mostly(posted_marks, json_values),
    if_match=mostly(st.sampled_from(["current", "current", "stale"]), st.text(max_size=20)),
    extra=st.dictionaries(
        st.sampled_from(["participation", "version", "id", "value2"]), json_values
    ),
)
def test_a_changed_score_is_saved_or_refused_naming_the_field(drill, api, value, if_match, extra):
    score = Score.objects.get(participation=drill.participations["alpha"], criterion__code="nia")
    etag = {
        "current": f'"score-{score.pk}-v{score.version}"',
        "stale": f'"score-{score.pk}-v{score.version + 7}"',
    }.get(if_match, if_match)
    body = {**extra, "value": value}

    def expect_changed(response: Any) -> None:
        assert response.status_code == 200
        stored_as_sent(response, value)

    check_write(
        lambda: api.put(
            f"/api/v1/staff/scores/{score.pk}/",
            json.dumps(body),
            content_type="application/json",
            HTTP_IF_MATCH=etag,
        ),
        expect_changed,
        sent_an_object=True,
    )
