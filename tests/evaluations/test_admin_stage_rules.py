"""Changing a stage's rules in the admin recomputes its standings and keeps scores valid."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import Score, StandingsSnapshot
from programs.models import Criterion
from tests.builders import build_stage, enter_five_teams

pytestmark = pytest.mark.django_db


def criterion_form(criterion: Criterion, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "stage": criterion.stage_id,
        "parent": criterion.parent_id or "",
        "code": criterion.code,
        "name_ko": criterion.name_ko,
        "name_en": criterion.name_en,
        "max_points": criterion.max_points,
        "aggregation": criterion.aggregation,
        "target": "",
        "order": criterion.order,
        "description_ko": "",
        "description_en": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def scored(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
    return scenario


def test_raising_a_maximum_recomputes_the_standings_and_moves_the_ceiling(
    client, superuser, scored, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    nia = scored.criteria["nia"]
    url = reverse("admin:programs_criterion_change", args=[nia.pk])
    before = StandingsSnapshot.objects.get(stage=scored.stage, is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, criterion_form(nia, max_points="12"))
    assert response.status_code == 302
    assert set(Score.objects.filter(criterion=nia).values_list("value_max", flat=True)) == {
        Decimal("12")
    }
    after = StandingsSnapshot.objects.get(stage=scored.stage, is_current=True)
    assert after.pk != before.pk
    # The benchmark parent (40) is now scaled: 9.2 + 14.4 + 10.0 = 33.6 of 42 → 32.0 of 40.
    alpha = after.rows.get(participation=scored.participations["alpha"])
    assert alpha.points["benchmark"] == "32.0"


def test_lowering_a_maximum_below_entered_scores_is_refused(client, superuser, scored):
    client.force_login(superuser)
    nia = scored.criteria["nia"]
    response = client.post(
        reverse("admin:programs_criterion_change", args=[nia.pk]),
        criterion_form(nia, max_points="9"),
    )
    assert response.status_code == 200
    assert "건이 9점을 초과합니다. 먼저 해당 점수를 수정하십시오." in response.content.decode()
    nia.refresh_from_db()
    assert nia.max_points == Decimal("10")
