"""The database itself refuses evaluation rows that break the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluations.models import Outcome, Publication
from tests.factories import (
    DecisionFactory,
    GateResultFactory,
    PublicationFactory,
    ScoreFactory,
    StandingsSnapshotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_score_above_the_criterions_maximum_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreFactory(criterion__max_points=Decimal("10"), value=Decimal("10.5"))


def test_a_score_at_the_criterions_maximum_is_accepted():
    score = ScoreFactory(criterion__max_points=Decimal("10"), value=Decimal("10"))

    assert score.value_max == Decimal("10")


def test_a_negative_score_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreFactory(value=Decimal("-1"))


def test_an_undisclosed_score_is_accepted():
    assert ScoreFactory(value=None).pk


def test_the_same_evaluators_mark_entered_twice_is_refused():
    score = ScoreFactory(evaluator_code="E01")

    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreFactory(
            participation=score.participation, criterion=score.criterion, evaluator_code="E01"
        )


def test_the_person_who_entered_a_score_cannot_confirm_it():
    clerk = UserFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreFactory(entered_by=clerk, confirmed_by=clerk, confirmed_at=timezone.now())


def test_a_second_person_can_confirm_a_score():
    score = ScoreFactory(
        entered_by=UserFactory(), confirmed_by=UserFactory(), confirmed_at=timezone.now()
    )

    assert score.is_confirmed


def test_the_person_who_entered_a_gate_result_cannot_confirm_it():
    clerk = UserFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        GateResultFactory(entered_by=clerk, confirmed_by=clerk)


def test_a_decision_overriding_the_proposed_outcome_without_a_reason_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(
            outcome=Outcome.DISQUALIFIED,
            overrides_proposal=True,
            reason_ko="",
            reason_en="",
        )


def test_a_decision_overriding_the_proposed_outcome_with_a_reason_is_accepted():
    decision = DecisionFactory(
        outcome=Outcome.DISQUALIFIED, overrides_proposal=True, reason_ko="독자성 기준 미충족"
    )

    assert decision.pk


def test_a_publication_correction_without_a_note_is_refused():
    first = PublicationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(
            snapshot=first.snapshot, sequence=2, corrects=first, note_ko="", note_en=""
        )


def test_a_later_publication_that_corrects_nothing_is_refused():
    first = PublicationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(snapshot=first.snapshot, sequence=2, note_en="Typo fixed")


def test_a_publication_cannot_be_saved_a_second_time():
    publication = PublicationFactory()
    publication.note_en = "Changed after the fact"

    with pytest.raises(ValueError, match="frozen"):
        publication.save()

    assert Publication.objects.get(pk=publication.pk).note_en == ""


def test_two_current_snapshots_for_one_stage_are_refused():
    snapshot = StandingsSnapshotFactory(is_current=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        StandingsSnapshotFactory(stage=snapshot.stage, is_current=True)
