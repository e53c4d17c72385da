"""Scores typed into the admin go through the same rules as the staff pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from evaluations.models import Score
from programs.models import Stage
from tests.factories import CriterionFactory, ParticipationFactory, ScoreFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:evaluations_score_add")
CHANGELIST = reverse("admin:evaluations_score_changelist")


@pytest.fixture
def participation():
    return ParticipationFactory(stage__status=Stage.Status.SCORING)


@pytest.fixture
def criterion(participation):
    return CriterionFactory(stage=participation.stage, max_points=Decimal("10"))


def add_form(participation, criterion, value: str) -> dict[str, object]:
    return {
        "participation": participation.pk,
        "criterion": criterion.pk,
        "evaluator_code": "",
        "value": value,
        "version": "",
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_clerk_adding_a_score_is_recorded_as_its_enterer_with_the_ceiling(
    client, staff_user, participation, criterion
):
    clerk = staff_user("clerk")
    client.force_login(clerk)

    response = client.post(ADD, add_form(participation, criterion, "8.5"))

    assert response.status_code == 302
    score = Score.objects.get()
    assert score.value == Decimal("8.5")
    assert score.value_max == Decimal("10")
    assert score.entered_by == clerk
    assert score.version == 1


def test_a_score_above_the_maximum_is_refused_with_a_message_and_nothing_saved(
    client, staff_user, participation, criterion
):
    client.force_login(staff_user("clerk"))

    response = client.post(ADD, add_form(participation, criterion, "12"))

    assert response.status_code == 302
    assert response["Location"] == ADD
    assert messages_of(response) == [f"12점은 “{criterion.code}” 항목의 배점(10.0점)을 초과합니다."]
    assert not Score.objects.exists()


def test_a_change_over_a_newer_version_is_refused_not_overwritten(
    client, staff_user, participation, criterion
):
    clerk = staff_user("clerk")
    score = ScoreFactory(
        participation=participation, criterion=criterion, value=Decimal("5"), version=2
    )
    client.force_login(clerk)

    response = client.post(
        reverse("admin:evaluations_score_change", args=[score.pk]),
        {"value": "6", "version": "1"},
    )

    assert response.status_code == 302
    assert any("저장하지 않았습니다" in text for text in messages_of(response))
    score.refresh_from_db()
    assert score.value == Decimal("5")
    assert score.version == 2


def test_a_verifier_confirms_a_score_entered_by_someone_else(
    client, staff_user, participation, criterion
):
    score = ScoreFactory(
        participation=participation,
        criterion=criterion,
        value=Decimal("7"),
        entered_by=staff_user("clerk"),
    )
    verifier = staff_user("verifier")
    client.force_login(verifier)

    response = client.post(
        CHANGELIST, {"action": "confirm_selected", "_selected_action": [score.pk]}
    )

    assert response.status_code == 302
    score.refresh_from_db()
    assert score.confirmed_by == verifier


def test_nobody_confirms_a_score_they_entered_themselves(
    client, staff_user, participation, criterion
):
    admin_user = staff_user("admin")
    score = ScoreFactory(
        participation=participation, criterion=criterion, value=Decimal("7"), entered_by=admin_user
    )
    client.force_login(admin_user)

    response = client.post(
        CHANGELIST, {"action": "confirm_selected", "_selected_action": [score.pk]}
    )

    assert response.status_code == 302
    assert any("다른 담당자가 확인해야 합니다" in text for text in messages_of(response))
    score.refresh_from_db()
    assert score.confirmed_by is None


def test_a_clerk_is_not_offered_the_confirm_action(client, staff_user, participation, criterion):
    ScoreFactory(participation=participation, criterion=criterion, value=Decimal("7"))
    client.force_login(staff_user("clerk"))

    page = client.get(CHANGELIST).content.decode()

    assert "confirm_selected" not in page
