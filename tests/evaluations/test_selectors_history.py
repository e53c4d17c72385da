"""A stage's history reads as a timeline: newest first, who, what in words, before and after,
and why, in a number of queries that does not grow with the stage."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from evaluations.models import Outcome, Score
from evaluations.selectors_history import gate_result_history, score_history, stage_history
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import decision_change, stage_publish
from evaluations.services.scores import gate_result_delete, gate_result_save, score_save
from tests.builders import build_stage, confirm_all, enter_five_teams, enter_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    scenario = build_stage()
    users = scenario.users
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        nia = Score.objects.get(
            participation=scenario.participations["alpha"], criterion=scenario.criteria["nia"]
        )
        score_save(
            participation_id=nia.participation_id,
            criterion_id=nia.criterion_id,
            value="9.5",
            user=users["clerk2"],
            expected_version=nia.version,
            reason="Sheet re-read",
        )
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=users["admin"])
        stage_finalize(stage_id=scenario.stage.pk, user=users["admin"])
        decision_change(
            participation_id=scenario.participations["epsilon"].pk,
            user=users["admin2"],
            outcome=Outcome.ADVANCED,
            reason_ko="",
            reason_en="Appeal upheld",
        )
        stage_publish(stage_id=scenario.stage.pk, user=users["admin2"])
    return scenario


def find(entries, **wanted):
    return [e for e in entries if all(getattr(e, k) == v for k, v in wanted.items())]


def test_the_timeline_is_newest_first_and_says_who_changed_what_and_why(published):
    entries = stage_history(stage_id=published.stage.pk)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)

    (changed,) = find(entries, kind="score", field="value", action="changed")
    assert changed.subject == "Alpha · “nia” · points entered directly"
    assert (changed.before, changed.after) == ("9.2", "9.5")
    assert (changed.who, changed.reason) == ("clerk2", "Sheet re-read")

    (decision,) = find(entries, kind="decision", field="outcome", action="changed")
    assert decision.subject == "Epsilon · decision"
    assert (decision.before, decision.after) == ("Eliminated", "Advanced")
    assert (decision.who, decision.reason) == ("admin2", "Appeal upheld")

    statuses = [(e.before, e.after, e.who) for e in find(entries, kind="stage", field="status")]
    assert statuses == [
        ("Finalized", "Published", "admin2"),
        ("Review", "Finalized", "admin1"),
        ("Scoring", "Review", "admin1"),
        (None, "Scoring", ""),  # created by the test's builder, outside any request
    ]
    team = [(e.before, e.after) for e in find(entries, kind="team", subject="Epsilon")]
    assert ("In the program", "Eliminated") in team
    assert ("Eliminated", "In the program") in team

    (publication,) = find(entries, kind="publication", field="sequence")
    assert (publication.action, publication.who, publication.after) == ("created", "admin2", "1")

    confirmations = find(entries, kind="score", field="confirmed_by", action="changed")
    assert confirmations and {e.who for e in confirmations} == {"verifier1"}


def test_a_deleted_entry_keeps_its_history_in_the_timeline(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        result = gate_result_save(
            participation_id=scenario.participations["beta"].pk,
            gate_id=scenario.gate.pk,
            passed=True,
            user=scenario.users["clerk"],
        )
        gate_result_delete(
            gate_result_id=result.pk,
            user=scenario.users["admin"],
            expected_version=1,
            reason="Wrong team",
        )
    history = gate_result_history(gate_result_id=result.pk)
    assert [(e.action, e.who) for e in history if e.field == "passed"] == [
        ("deleted", "admin1"),
        ("created", "clerk1"),
    ]
    assert history[0].reason == "Wrong team"
    assert history[0].subject == "Beta · gate “independence”"
    timeline = stage_history(stage_id=scenario.stage.pk)
    assert find(timeline, kind="gate_result", action="deleted", reason="Wrong team")


def test_one_marks_history_follows_it_across_changes(published):
    score = Score.objects.get(
        participation=published.participations["alpha"], criterion=published.criteria["nia"]
    )
    values = [
        (e.before, e.after, e.who) for e in score_history(score_id=score.pk) if e.field == "value"
    ]
    assert values == [("9.2", "9.5", "clerk2"), (None, "9.2", "clerk1")]


def queries_for_stage_history(stage_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        stage_history(stage_id=stage_id)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_teams_or_changes(
    django_capture_on_commit_callbacks,
):
    small = build_stage(teams=("alpha", "beta"), with_next_stage=False)
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(
            small,
            "alpha",
            nia="9",
            common="14",
            individual="9",
            expert=("30", "31", "32"),
            user=("20", "21", "22"),
        )
    few = queries_for_stage_history(small.stage.pk)

    from evaluations.models import Participation
    from tests.builders import FIVE_TEAMS

    with django_capture_on_commit_callbacks(execute=True):
        enter_team(small, "beta", **FIVE_TEAMS["beta"])  # type: ignore[arg-type]
        confirm_all(small)
    assert Participation.objects.filter(stage=small.stage).count() == 2
    many = queries_for_stage_history(small.stage.pk)
    assert many == few
    assert few <= 15
    assert Decimal(len(stage_history(stage_id=small.stage.pk))) > 0
