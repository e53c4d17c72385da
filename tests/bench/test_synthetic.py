"""bench/synthetic.py: the synthetic program shared by the bench and the query-count tests."""

from __future__ import annotations

import pytest

from bench.synthetic import synthetic_program_build
from evaluations.models import Decision, Outcome, Participation, Publication, Score
from evaluations.selectors import publication_latest_for_stage
from programs.models import Stage
from teams.models import Team

pytestmark = pytest.mark.django_db


def marks_of(slug: str) -> list[tuple[str, str, str, str]]:
    return [
        (team, criterion, evaluator, str(value))
        for team, criterion, evaluator, value in Score.objects.filter(
            participation__stage__program__slug=slug
        )
        .order_by(
            "participation__stage__order",
            "participation__team__slug",
            "criterion__code",
            "evaluator_code",
        )
        .values_list("participation__team__slug", "criterion__code", "evaluator_code", "value")
    ]


def test_a_program_has_every_mark_of_every_team_and_stays_in_scoring():
    program = synthetic_program_build(teams=12, criteria=4, evaluators=3, seed=1, stages=2)

    assert program.marks == 2 * 12 * 4 * 3
    assert Score.objects.count() == program.marks
    assert [s.status for s in Stage.objects.filter(pk__in=program.stage_ids)] == ["scoring"] * 2
    assert Participation.objects.filter(stage_id=program.stage_ids[1]).count() == 12
    assert program.publication_ids == ()
    assert not Publication.objects.exists()


def test_the_same_seed_gives_the_same_marks_and_another_seed_other_marks():
    synthetic_program_build(teams=5, criteria=3, evaluators=4, seed=7, slug="first")
    synthetic_program_build(teams=5, criteria=3, evaluators=4, seed=7, slug="again")
    synthetic_program_build(teams=5, criteria=3, evaluators=4, seed=8, slug="other")

    assert marks_of("first") == marks_of("again")
    assert marks_of("first") != marks_of("other")


def test_publishing_runs_each_stage_through_finalize_and_publish():
    program = synthetic_program_build(
        teams=20, criteria=3, evaluators=3, seed=3, stages=2, publish=True
    )

    first, second = (Stage.objects.get(pk=pk) for pk in program.stage_ids)
    assert first.status == second.status == Stage.Status.PUBLISHED
    assert len(program.publication_ids) == 2
    # The lowest tenth (two teams) leave at stage 1; the others go on to stage 2.
    eliminated = Decision.objects.filter(participation__stage=first, outcome=Outcome.ELIMINATED)
    assert eliminated.count() == 2
    assert Participation.objects.filter(stage=second).count() == 18
    assert Team.objects.filter(status=Team.Status.ELIMINATED).count() == 2 + 2
    payload = publication_latest_for_stage(stage=second).payload
    assert len(payload["rows"]) == 18
    assert all(row["models"] for row in payload["rows"])


def test_evaluators_zero_means_one_direct_mark_per_criterion():
    program = synthetic_program_build(teams=3, criteria=2, evaluators=0, seed=1)

    assert program.marks == 3 * 2
    assert set(Score.objects.values_list("evaluator_code", flat=True)) == {""}
