"""Review and decision: ranks with shared ranks, gate failures, the line, sensitivity, and the
administrator's decisions (accept, override with a reason, settle a tie)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Decision, Outcome
from evaluations.services.lifecycle import stage_submit_for_review
from programs.models import Stage
from tests.builders import build_stage, confirm_all, enter_five_teams, enter_team
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    scenario.refresh()
    return scenario


@pytest.fixture
def light():
    """A stage in review with no marks: enough to check who may open what."""
    scenario = build_stage(teams=("alpha", "beta"), status=Stage.Status.REVIEW)
    return scenario


def signed_in(scenario, who="admin", language="ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(scenario.users[who])
    return client


def review_url(scenario, name="stage_review") -> str:
    return reverse(f"staff:{name}", kwargs={"stage_id": scenario.stage.pk})


@pytest.mark.parametrize("person", PEOPLE)
def test_every_staff_role_may_see_the_review(light, as_person, person):
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    url = review_url(light)
    assert_access(as_person(person).get(url), expected, url)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", ["stage_submit", "stage_return", "stage_finalize"])
def test_only_an_administrator_moves_the_stage(light, as_person, person, name):
    url = review_url(light, name)
    response = as_person(person).post(url)
    light.refresh()
    if person == "admin":
        assert response.status_code in (302, 400)
    else:
        expected = "sign_in" if person == "anonymous" else "forbidden"
        assert_access(response, expected, url)
        assert light.stage.status == Stage.Status.REVIEW


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ko", ["검토와 결정", "탈락선", "제안 결과"]),
        ("en", ["Review and decision", "Elimination line", "Proposed outcome and reason"]),
    ],
)
def test_the_review_shows_ranks_gates_the_line_and_sensitivity(in_review, language, words):
    page = signed_in(in_review, language=language).get(review_url(in_review)).content.decode()
    for word in words:
        assert word in page
    assert 'data-testid="elimination-line"' in page
    assert 'data-testid="sensitivity"' in page
    assert "Independence" in page or "독자성" in page  # beta's failed gate, named
    assert 'data-testid="decision-form"' in page


def test_a_verifier_sees_the_review_without_decision_controls(in_review):
    page = signed_in(in_review, "verifier").get(review_url(in_review)).content.decode()
    assert 'data-testid="finalize"' not in page
    assert 'data-testid="row-alpha"' in page


def test_accepting_the_proposal_finalizes_the_stage(in_review):
    response = signed_in(in_review).post(review_url(in_review, "stage_finalize"))
    assert response.status_code == 302
    in_review.refresh()
    assert in_review.stage.status == Stage.Status.FINALIZED
    outcomes = dict(Decision.objects.values_list("participation__team__slug", "outcome"))
    assert outcomes["beta"] == Outcome.DISQUALIFIED
    assert outcomes["alpha"] == Outcome.ADVANCED


def test_an_override_needs_a_reason_and_nothing_is_finalized_without_it(in_review):
    alpha = in_review.participations["alpha"].pk
    client = signed_in(in_review, language="en")
    response = client.post(
        review_url(in_review, "stage_finalize"), {f"outcome-{alpha}": Outcome.WITHDRAWN}
    )
    assert response.status_code == 400
    assert "Give the reason for this decision" in response.content.decode()
    in_review.refresh()
    assert in_review.stage.status == Stage.Status.REVIEW
    assert not Decision.objects.exists()

    response = client.post(
        review_url(in_review, "stage_finalize"),
        {f"outcome-{alpha}": Outcome.WITHDRAWN, f"reason_ko-{alpha}": "자진 철회"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(participation_id=alpha)
    assert (decision.outcome, decision.overrides_proposal) == (Outcome.WITHDRAWN, True)
    assert decision.reason_ko == "자진 철회"


def test_a_tie_at_the_line_must_be_decided(django_capture_on_commit_callbacks):
    scenario = build_stage(teams=("alpha", "beta", "gamma"))
    same = dict(nia="5", common="10", individual="5", expert=("20", "20", "20"), user=("20",))
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(scenario, "alpha", **{**same, "nia": "9"})
        enter_team(scenario, "beta", **same)
        enter_team(scenario, "gamma", **same)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    client = signed_in(scenario, language="en")
    page = client.get(review_url(scenario)).content.decode()
    assert "=2" in page  # the shared rank
    assert "— decide —" in page

    response = client.post(review_url(scenario, "stage_finalize"))
    assert response.status_code == 400
    assert "This team needs a decision" in response.content.decode()

    beta, gamma = scenario.participations["beta"].pk, scenario.participations["gamma"].pk
    response = client.post(
        review_url(scenario, "stage_finalize"),
        {
            f"outcome-{beta}": Outcome.ADVANCED,
            f"reason_en-{beta}": "Higher expert score",
            f"outcome-{gamma}": Outcome.ELIMINATED,
            f"reason_en-{gamma}": "Lower expert score",
        },
    )
    assert response.status_code == 302
    scenario.refresh()
    assert scenario.stage.status == Stage.Status.FINALIZED


def test_submit_for_review_and_return_to_scoring(in_review):
    client = signed_in(in_review, language="en")
    client.post(review_url(in_review, "stage_return"))
    in_review.refresh()
    assert in_review.stage.status == Stage.Status.SCORING
    page = client.get(review_url(in_review)).content.decode()
    assert 'data-testid="submit-review"' in page
    client.post(review_url(in_review, "stage_submit"))
    in_review.refresh()
    assert in_review.stage.status == Stage.Status.REVIEW


def test_sending_an_incomplete_stage_to_review_says_what_is_missing():
    scenario = build_stage(teams=("alpha", "beta"))
    response = signed_in(scenario, language="en").post(
        review_url(scenario, "stage_submit"), follow=True
    )
    assert "Scoring is not complete" in response.content.decode() or "incomplete" in str(
        response.content
    )
    scenario.refresh()
    assert scenario.stage.status == Stage.Status.SCORING
