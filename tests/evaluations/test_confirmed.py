"""One definition of "confirmed": the property, the queryset, the admin column and filter, and
what blocks finalizing all agree, including on a row nobody entered and nobody confirmed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import GateResult, Score
from evaluations.services.lifecycle import unconfirmed_entries
from tests.factories import GateResultFactory, ScoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    clerk, verifier = UserFactory(), UserFactory()
    waiting = ScoreFactory(entered_by=clerk, evaluator_code="E01")
    stage = waiting.participation.stage
    participation, criterion = waiting.participation, waiting.criterion
    return {
        "waiting": waiting,
        "confirmed": ScoreFactory(
            participation=participation,
            criterion=criterion,
            evaluator_code="E02",
            entered_by=clerk,
            confirmed_by=verifier,
            confirmed_at=timezone.now(),
        ),
        # Loaded from the ministry's published record: nobody entered it here.
        "public_record": ScoreFactory(
            participation=participation,
            criterion=criterion,
            evaluator_code="E03",
            confirmed_at=timezone.now(),
        ),
        # Nobody entered it and nobody confirmed it: nobody vouches for it.
        "orphan": ScoreFactory(
            participation=participation, criterion=criterion, evaluator_code="E04"
        ),
        "stage": stage,
    }


def test_the_property_and_the_queryset_agree_on_every_kind_of_row(rows):
    expected = {"waiting": False, "confirmed": True, "public_record": True, "orphan": False}
    confirmed_ids = set(Score.objects.confirmed().values_list("pk", flat=True))
    unconfirmed_ids = set(Score.objects.unconfirmed().values_list("pk", flat=True))
    for name, is_confirmed in expected.items():
        score = rows[name]
        assert score.is_confirmed is is_confirmed, name
        assert (score.pk in confirmed_ids) is is_confirmed, name
        assert (score.pk in unconfirmed_ids) is not is_confirmed, name


def test_a_row_nobody_entered_or_confirmed_blocks_finalizing(rows):
    pending = unconfirmed_entries(stage=rows["stage"])
    assert sorted((item.code, item.evaluator_code) for item in pending) == [
        ("score_unconfirmed", "E01"),
        ("score_unconfirmed", "E04"),
    ]


def test_gate_results_follow_the_same_rule():
    orphan = GateResultFactory()
    loaded = GateResultFactory(confirmed_at=timezone.now())
    assert not orphan.is_confirmed
    assert loaded.is_confirmed
    assert list(GateResult.objects.unconfirmed()) == [orphan]
    assert list(GateResult.objects.confirmed()) == [loaded]


def test_the_admin_filter_and_column_agree_with_the_property(client, superuser, rows):
    client.force_login(superuser)
    url = reverse("admin:evaluations_score_changelist")
    waiting = client.get(url, {"confirmed": "no"}).context["cl"].result_list
    assert {s.evaluator_code for s in waiting} == {"E01", "E04"}
    done = client.get(url, {"confirmed": "yes"}).context["cl"].result_list
    assert {s.evaluator_code for s in done} == {"E02", "E03"}
