"""Every staff action (POST) for each kind of person: anonymous people are sent to sign in,
people without the role get 403 and change nothing, holders of the role get through."""

from __future__ import annotations

import pytest

from tests.builders import build_stage
from tests.staff.conftest import PEOPLE

pytestmark = pytest.mark.django_db

# URL template → roles allowed through
ACTIONS = {
    "/staff/accounts/new/": {"admin"},
    "/staff/accounts/{other}/": {"admin"},
    "/staff/stages/{stage}/setup/weights/": {"admin"},
    "/staff/stages/{stage}/setup/rule/": {"admin"},
    "/staff/stages/{stage}/setup/open/": {"admin"},
    "/staff/stages/{stage}/scores/cell/": {"clerk", "admin"},
    "/staff/stages/{stage}/scores/row/{alpha}/": {"clerk", "admin"},
    "/staff/stages/{stage}/confirm/mark/": {"verifier", "admin"},
    "/staff/stages/{stage}/confirm/send-back/": {"verifier", "admin"},
    "/staff/stages/{stage}/confirm/team/{alpha}/": {"verifier", "admin"},
    "/staff/stages/{stage}/gates/record/": {"clerk", "admin"},
    "/staff/stages/{stage}/gates/confirm/": {"verifier", "admin"},
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("template", sorted(ACTIONS))
def test_each_action_for_each_person(as_person, staff_user, template, person):
    scenario = build_stage(teams=("alpha",))
    other = staff_user("clerk", username="other-clerk")
    url = template.format(
        stage=scenario.stage.pk, alpha=scenario.participations["alpha"].pk, other=other.pk
    )
    response = as_person(person).post(
        url, {"participation": scenario.participations["alpha"].pk, "criterion": 0}
    )
    if person == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/?next=")
    elif person in ACTIONS[template]:
        assert response.status_code != 403
        assert not response.get("Location", "").startswith("/staff/sign-in/")
    else:
        assert response.status_code == 403
        assert "역할" in response.content.decode()


# The account screens are forms: GET shows them (test_access.py).
@pytest.mark.parametrize("template", sorted(t for t in ACTIONS if "/accounts/" not in t))
def test_actions_refuse_get(as_person, template):
    scenario = build_stage(teams=("alpha",))
    url = template.format(stage=scenario.stage.pk, alpha=scenario.participations["alpha"].pk)
    assert as_person("admin").get(url).status_code in (404, 405)
