"""Changing a stage's rules in the admin goes through the setup services: it recomputes the
standings, keeps scores valid, and a change after scoring began needs a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import Score, StandingsSnapshot
from programs.models import Criterion
from tests.admin_forms import changeform_data, inline_prefix
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
        response = client.post(
            url, criterion_form(nia, max_points="12", change_reason="Ministry corrected it")
        )
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


def test_a_maximum_changed_after_scoring_began_without_a_reason_is_refused(
    client, superuser, scored
):
    client.force_login(superuser)
    nia = scored.criteria["nia"]
    response = client.post(
        reverse("admin:programs_criterion_change", args=[nia.pk]),
        criterion_form(nia, max_points="12"),
        follow=True,
    )
    assert "관리자가 사유를 적어야만 바꿀 수 있으며" in response.content.decode()
    nia.refresh_from_db()
    assert nia.max_points == Decimal("10")
    assert nia.history.count() == 1  # created, never changed


def test_the_stage_pages_criterion_inline_moves_the_score_ceilings_too(
    client, superuser, scored, django_capture_on_commit_callbacks
):
    """The inline once saved `max_points` without telling the scores: value_max went stale."""
    client.force_login(superuser)
    url = reverse("admin:programs_stage_change", args=[scored.stage.pk])
    data = changeform_data(client.get(url))
    nia = scored.criteria["nia"]
    row = inline_prefix(data, "criteria", "id", nia.pk)
    data[f"{row}-max_points"] = "12"
    data["change_reason"] = "Ministry corrected the NIA weight"
    before = StandingsSnapshot.objects.get(stage=scored.stage, is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Score.objects.filter(criterion=nia).values_list("value_max", flat=True)) == {
        Decimal("12")
    }
    assert StandingsSnapshot.objects.get(stage=scored.stage, is_current=True).pk != before.pk
    changed = nia.history.latest()
    assert (changed.max_points, changed.history_user) == (Decimal("12"), superuser)
    assert changed.history_change_reason == "Ministry corrected the NIA weight"
    ceiling = Score.history.filter(criterion_id=nia.pk).latest()
    assert (ceiling.value_max, ceiling.history_user) == (Decimal("12"), superuser)
