"""Every model in the admin opens for a superuser; the read-only ones stay read-only; roles
decide what other staff may do."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import (
    Publication,
    RecomputeLock,
    ScoreImport,
    StandingsRow,
    StandingsSnapshot,
)
from tests.factories import (
    AIModelFactory,
    CriterionFactory,
    DecisionFactory,
    GateResultFactory,
    MembershipFactory,
    ModelAliasFactory,
    PublicationFactory,
    ScoreFactory,
    SourceFactory,
    StageApplicantFactory,
    StandingsRowFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TRACKER_APPS = {"programs", "teams", "evaluations"}
TRACKER_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in TRACKER_APPS),
    key=lambda model: model._meta.label,
)
READ_ONLY_MODELS = {Publication, StandingsSnapshot, StandingsRow, RecomputeLock, ScoreImport}


def url(model, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def build_one_of_everything() -> None:
    score = ScoreFactory()
    participation = score.participation
    stage = participation.stage
    program = stage.program
    program.sources.add(SourceFactory())
    CriterionFactory(stage=stage, parent=score.criterion)
    GateResultFactory(participation=participation)
    DecisionFactory(participation=participation)
    MembershipFactory(team=participation.team)
    model = AIModelFactory(team=participation.team)
    model.benchmarks.create(benchmark="KMMLU", score="71.20")
    ModelAliasFactory(model__team=participation.team)
    StageApplicantFactory(stage__program=program)
    row = StandingsRowFactory(snapshot__stage=stage, participation=participation)
    PublicationFactory(snapshot=row.snapshot)
    RecomputeLock.objects.create(stage=stage)
    ScoreImport.objects.create(stage=stage, filename="m.csv", content=b"x", size=1, digest="0")
    stage.statistics.create(value="77.1", team_count=5)
    stage.milestones.create(program=program, date="2026-01-15", title_ko="발표", title_en="Result")


@pytest.fixture
def one_of_everything():
    """At least one row of every registered model, linked the way real data is."""
    build_one_of_everything()


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_tracker_model_is_registered():
    from django.apps import apps

    # History tables are shown on each object's "History" page, not as models of their own.
    expected = {
        model
        for name in TRACKER_APPS
        for model in apps.get_app_config(name).get_models()
        if not model.__name__.startswith("Historical")
    }
    assert expected - set(TRACKER_MODELS) == set()


@pytest.mark.parametrize("model", TRACKER_MODELS, ids=lambda model: model._meta.label)
def test_a_superuser_can_open_every_changelist(superuser_client, one_of_everything, model):
    response = superuser_client.get(url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", TRACKER_MODELS, ids=lambda model: model._meta.label)
def test_changelists_use_the_same_number_of_queries_whatever_the_number_of_rows(
    superuser_client, one_of_everything, model
):
    with CaptureQueriesContext(connection) as few_rows:
        assert superuser_client.get(url(model, "changelist")).status_code == 200
    build_one_of_everything()
    build_one_of_everything()
    with CaptureQueriesContext(connection) as more_rows:
        assert superuser_client.get(url(model, "changelist")).status_code == 200

    assert len(more_rows) == len(few_rows), [q["sql"] for q in more_rows.captured_queries]


@pytest.mark.parametrize("model", TRACKER_MODELS, ids=lambda model: model._meta.label)
def test_a_superuser_can_search_every_changelist(superuser_client, one_of_everything, model):
    response = superuser_client.get(url(model, "changelist"), {"q": "1"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", TRACKER_MODELS, ids=lambda model: model._meta.label)
def test_a_superuser_can_open_every_change_page(superuser_client, one_of_everything, model):
    obj = model.objects.first()

    response = superuser_client.get(url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [model for model in TRACKER_MODELS if model not in READ_ONLY_MODELS],
    ids=lambda model: model._meta.label,
)
def test_a_superuser_can_open_every_add_page(superuser_client, one_of_everything, model):
    response = superuser_client.get(url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", sorted(READ_ONLY_MODELS, key=lambda model: model.__name__))
def test_computed_and_frozen_records_cannot_be_added_changed_or_deleted(
    superuser_client, one_of_everything, model
):
    obj = model.objects.first()

    assert superuser_client.get(url(model, "add")).status_code == 403
    assert superuser_client.get(url(model, "delete", obj.pk)).status_code == 403
    page = superuser_client.get(url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in page


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_anonymous_visitor_cannot_open_a_changelist(client):
    response = client.get(url(Publication, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_site_is_titled_in_korean_and_english(superuser_client):
    body = superuser_client.get(reverse("admin:index")).content.decode()

    assert "독자 AI 파운데이션 모델 프로젝트 관리 / Program tracker administration" in body


def test_a_clerk_sees_the_score_changelist(client, staff_user, one_of_everything):
    from evaluations.models import Score

    client.force_login(staff_user("clerk"))

    assert client.get(url(Score, "changelist")).status_code == 200
    assert client.get(url(Score, "add")).status_code == 200


def test_a_clerk_cannot_add_a_publication(client, staff_user):
    client.force_login(staff_user("clerk"))

    assert client.get(url(Publication, "add")).status_code == 403


def test_a_clerk_cannot_change_the_stage_rules(client, staff_user, one_of_everything):
    from programs.models import Stage

    client.force_login(staff_user("clerk"))
    stage = Stage.objects.first()

    page = client.get(url(Stage, "change", stage.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(url(Stage, "add")).status_code == 403


def test_a_verifier_cannot_add_scores(client, staff_user):
    from evaluations.models import Score

    client.force_login(staff_user("verifier"))

    assert client.get(url(Score, "changelist")).status_code == 200
    assert client.get(url(Score, "add")).status_code == 403


def test_staff_outside_every_role_cannot_see_scores(client):
    from evaluations.models import Score

    client.force_login(UserFactory(username="outsider", is_staff=True))

    assert client.get(url(Score, "changelist")).status_code == 403
