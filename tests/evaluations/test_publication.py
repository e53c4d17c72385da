import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from evaluations.models import Publication
from evaluations.selectors import published_standings_for_stage
from evaluations.services.lifecycle import (
    stage_finalize,
    stage_schedule_announcement,
    stage_submit_for_review,
)
from evaluations.services.publication import (
    decision_change,
    publication_correct,
    stage_publish,
    stage_publish_due,
)
from evaluations.services.scores import score_confirm, score_save
from programs.errors import ConflictError, DomainError, PermissionDenied
from programs.models import Stage
from teams.models import Team
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db

SEOUL = dt.timezone(dt.timedelta(hours=9))
ANNOUNCEMENT = dt.datetime(2026, 1, 15, 14, 0, tzinfo=SEOUL)


@pytest.fixture
def finalized(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        admin = scenario.users["admin"]
        stage_submit_for_review(stage_id=scenario.stage.pk, user=admin)
        stage_finalize(stage_id=scenario.stage.pk, user=admin)
        stage_schedule_announcement(
            stage_id=scenario.stage.pk, user=admin, announcement_at=ANNOUNCEMENT
        )
    return scenario


def test_nothing_is_public_before_the_announcement(finalized):
    with time_machine.travel(ANNOUNCEMENT - dt.timedelta(minutes=1)):
        assert stage_publish_due() == []
        assert published_standings_for_stage(stage=finalized.stage) is None
    assert not Publication.objects.exists()


def test_the_beat_publishes_at_the_announcement_time_exactly_once(finalized):
    with time_machine.travel(ANNOUNCEMENT + dt.timedelta(seconds=30)):
        assert stage_publish_due() == [finalized.stage.pk]
        assert stage_publish_due() == []
        public = published_standings_for_stage(stage=finalized.stage)
    assert Publication.objects.count() == 1
    finalized.refresh()
    assert finalized.stage.status == Stage.Status.PUBLISHED
    alpha = next(row for row in public["rows"] if row["team"] == "alpha")
    assert alpha["total"] == "90.2"
    assert alpha["outcome"] == "advanced"
    assert public["corrections"] == []


def test_an_administrator_may_publish_at_once_but_only_once(finalized):
    for who in ("clerk", "verifier", "outsider"):
        with pytest.raises(PermissionDenied):
            stage_publish(stage_id=finalized.stage.pk, user=finalized.users[who])
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    with pytest.raises(ConflictError) as caught:
        stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin2"])
    assert caught.value.code == "already_published"
    assert Publication.objects.count() == 1


def test_a_stage_that_is_not_finalized_cannot_be_published():
    scenario = build_stage()
    with pytest.raises(DomainError) as caught:
        stage_publish(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert (caught.value.code, caught.value.params["status"]) == ("wrong_status", "scoring")


def test_the_public_record_never_shows_individual_evaluator_marks(finalized):
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    text = json.dumps(published_standings_for_stage(stage=finalized.stage), default=str)
    assert "E01" not in text
    assert "evaluator" not in text


def test_published_numbers_never_change_in_place_and_a_correction_is_visible(
    finalized, django_capture_on_commit_callbacks
):
    admin, admin2 = finalized.users["admin"], finalized.users["admin2"]
    first = stage_publish(stage_id=finalized.stage.pk, user=admin)
    # A transcription error is found in alpha's NIA points after publication.
    score = finalized.participations["alpha"].scores.get(criterion__code="nia")
    with django_capture_on_commit_callbacks(execute=True):
        score_save(
            participation_id=score.participation_id,
            criterion_id=score.criterion_id,
            value="8.2",
            user=admin,
            expected_version=score.version,
        )
    first.refresh_from_db()
    alpha_first = next(row for row in first.payload["rows"] if row["team"] == "alpha")
    assert alpha_first["total"] == "90.2"  # frozen

    with pytest.raises(DomainError) as unconfirmed:
        publication_correct(stage_id=finalized.stage.pk, user=admin, note_en="Fix NIA.")
    assert unconfirmed.value.code == "unconfirmed"
    assert [(item.team, item.criterion) for item in unconfirmed.value.params["items"]] == [
        ("alpha", "nia")
    ]
    score.refresh_from_db()
    score_confirm(score_id=score.pk, user=admin2, expected_version=score.version)
    with pytest.raises(DomainError) as no_note:
        publication_correct(stage_id=finalized.stage.pk, user=admin)
    assert (no_note.value.code, no_note.value.field) == ("note_required", "note_ko")
    correction = publication_correct(
        stage_id=finalized.stage.pk, user=admin, note_en="NIA points of Alpha were 8.2, not 9.2."
    )
    assert correction.sequence == 2
    assert correction.corrects == first
    public = published_standings_for_stage(stage=finalized.stage)
    alpha = next(row for row in public["rows"] if row["team"] == "alpha")
    assert alpha["total"] == "89.2"
    assert public["corrections"][0]["note_en"] == "NIA points of Alpha were 8.2, not 9.2."
    with pytest.raises(ValueError, match="frozen"):
        first.save()


def test_a_correction_with_nothing_changed_is_refused(finalized):
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    with pytest.raises(DomainError) as caught:
        publication_correct(stage_id=finalized.stage.pk, user=finalized.users["admin"], note_en="x")
    assert caught.value.code == "unchanged"


def test_a_changed_decision_after_publication_is_published_as_a_correction(finalized):
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    with pytest.raises(DomainError) as caught:
        decision_change(
            participation_id=finalized.participations["epsilon"].pk,
            user=finalized.users["admin"],
            outcome="advanced",
            reason_ko="",
            reason_en="",
        )
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason_ko")
    decision_change(
        participation_id=finalized.participations["epsilon"].pk,
        user=finalized.users["admin"],
        outcome="advanced",
        reason_ko="",
        reason_en="Appeal upheld.",
    )
    publication_correct(
        stage_id=finalized.stage.pk, user=finalized.users["admin"], note_en="Appeal upheld."
    )
    public = published_standings_for_stage(stage=finalized.stage)
    epsilon = next(row for row in public["rows"] if row["team"] == "epsilon")
    assert epsilon["outcome"] == "advanced"
    assert epsilon["overrides_proposal"] is True
    # The team is back in the program, with a place in the next stage.
    assert Team.objects.get(slug="epsilon").status == Team.Status.ACTIVE
    assert finalized.next_stage.participations.filter(team__slug="epsilon").exists()


def test_an_announcement_time_needs_a_time_zone(finalized):
    with pytest.raises(DomainError) as caught:
        stage_schedule_announcement(
            stage_id=finalized.stage.pk,
            user=finalized.users["admin"],
            announcement_at=dt.datetime(2026, 1, 15, 14, 0),
        )
    assert (caught.value.code, caught.value.field) == ("timezone_required", "announcement_at")
    assert timezone.is_aware(Stage.objects.get(pk=finalized.stage.pk).announcement_at)
