"""Two people saving the same mark: the second is refused and sees both values and who saved
the other; nothing is overwritten silently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Score
from tests.builders import build_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def post(client, scenario, value, version, evaluator="E01"):
    return client.post(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {
            "participation": scenario.participations["alpha"].pk,
            "criterion": scenario.criteria["expert"].pk,
            "evaluator": evaluator,
            "version": version,
            "value": value,
        },
    )


def test_second_save_of_a_changed_mark_is_refused_showing_both_values(as_person, scenario):
    kim = as_person("clerk", username="kim")
    lee = as_person("admin", username="lee")
    assert post(kim, scenario, "30", "").status_code == 200  # version 1, both load it
    assert post(lee, scenario, "31", "1").status_code == 200  # lee changes it: version 2

    response = post(kim, scenario, "29", "1")  # kim still has version 1 on screen
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="theirs">31<' in body
    assert 'data-testid="yours">29<' in body
    assert "lee" in body
    score = Score.objects.get()
    assert (score.value, score.version) == (Decimal("31"), 2)


def test_two_people_entering_a_new_mark_at_once(as_person, scenario):
    kim = as_person("clerk", username="kim")
    lee = as_person("admin", username="lee")
    assert post(kim, scenario, "30", "").status_code == 200
    response = post(lee, scenario, "28", "")  # lee's screen still showed an empty cell
    assert response.status_code == 409
    assert 'data-testid="theirs">30<' in response.content.decode()
    assert Score.objects.get().value == Decimal("30")


def test_use_mine_after_a_conflict_saves_over_the_version_seen(as_person, scenario):
    kim = as_person("clerk", username="kim")
    lee = as_person("admin", username="lee")
    post(kim, scenario, "30", "")
    post(lee, scenario, "31", "1")
    post(kim, scenario, "29", "1")
    # "Use mine" posts kim's value against the version kim has now been shown (2).
    assert post(kim, scenario, "29", "2").status_code == 200
    assert Score.objects.get().value == Decimal("29")


def test_keep_theirs_shows_the_saved_value(as_person, scenario):
    kim = as_person("clerk", username="kim")
    post(as_person("admin", username="lee"), scenario, "31", "")
    response = kim.get(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {
            "participation": scenario.participations["alpha"].pk,
            "criterion": scenario.criteria["expert"].pk,
            "evaluator": "E01",
        },
    )
    assert response.status_code == 200
    assert 'value="31"' in response.content.decode()


def test_row_save_with_a_stale_mark_saves_nothing_and_names_who(as_person, scenario):
    kim = as_person("clerk", username="kim")
    lee = as_person("admin", username="lee")
    expert, nia = scenario.criteria["expert"].pk, scenario.criteria["nia"].pk
    post(kim, scenario, "30", "")
    post(lee, scenario, "31", "1")
    url = f"/staff/stages/{scenario.stage.pk}/scores/row/{scenario.participations['alpha'].pk}/"
    response = kim.post(
        url,
        {f"m:{expert}:E01": "29", f"v:{expert}:E01": "1", f"m:{nia}:": "8"},
        follow=True,
    )
    body = response.content.decode()
    assert "lee" in body and "31" in body and "29" in body
    assert not Score.objects.filter(criterion_id=nia).exists()
    assert Score.objects.get(criterion_id=expert).value == Decimal("31")
