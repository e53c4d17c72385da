"""Gates: pass/fail per team with a reason (Korean and English) and sources; a failure must have
a reason."""

from __future__ import annotations

import pytest

from evaluations.models import GateResult
from tests.builders import build_stage
from tests.factories import SourceFactory
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def record(client, scenario, passed, **extra):
    return client.post(
        f"/staff/stages/{scenario.stage.pk}/gates/record/",
        {
            "participation": scenario.participations["alpha"].pk,
            "gate": scenario.gate.pk,
            "passed": passed,
            **extra,
        },
        follow=True,
    )


@pytest.mark.parametrize("person", PEOPLE)
def test_gates_page_answers_each_person(as_person, scenario, person):
    path = f"/staff/stages/{scenario.stage.pk}/gates/"
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(as_person(person).get(path), expected, path)


@pytest.mark.parametrize(
    ("person", "saved"),
    [
        ("anonymous", False),
        ("norole", False),
        ("verifier", False),
        ("clerk", True),
        ("admin", True),
    ],
)
def test_recording_a_gate_by_each_person(as_person, scenario, person, saved):
    record(as_person(person), scenario, "pass")
    assert GateResult.objects.exists() == saved


def test_a_failure_without_a_reason_is_refused(as_person, scenario):
    response = record(as_person("clerk"), scenario, "fail")
    assert not GateResult.objects.exists()
    assert "message--error" in response.content.decode()


def test_a_failure_with_reasons_and_sources(as_person, scenario):
    SourceFactory(key="S36")
    record(
        as_person("clerk"),
        scenario,
        "fail",
        reason_ko="해외 모델 가중치 사용",
        reason_en="Used a foreign model's weights",
        sources="S36",
    )
    result = GateResult.objects.get()
    assert result.passed is False
    assert [s.key for s in result.sources.all()] == ["S36"]


def test_an_unknown_source_saves_nothing(as_person, scenario):
    response = record(as_person("clerk", language="en"), scenario, "pass", sources="S999")
    assert not GateResult.objects.exists()
    assert "S999" in response.content.decode()


def test_a_verifier_confirms_a_gate_result(as_person, scenario):
    record(as_person("clerk"), scenario, "pass")
    result = GateResult.objects.get()
    as_person("verifier").post(
        f"/staff/stages/{scenario.stage.pk}/gates/confirm/",
        {"result": result.pk, "version": result.version},
    )
    result.refresh_from_db()
    assert result.confirmed_by is not None


def test_gates_screen_in_english(as_person, scenario):
    body = (
        as_person("clerk", language="en")
        .get(f"/staff/stages/{scenario.stage.pk}/gates/")
        .content.decode()
    )
    assert "a failure needs a reason" in body
