"""The shipped record loads, matches the facts, and loading again changes nothing."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from evaluations.models import Decision, Participation, Publication, Score
from evaluations.selectors import published_standings_for_stage
from programs.models import Program, Source, Stage
from teams.models import AIModel, Team

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_program", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """Load the record once for this module, inside a transaction rolled back at its end.

    Each test still runs in its own transaction (pytest-django), so a test's edits vanish.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def loaded(loaded_once, db):
    return None


def public_row(stage_slug: str, team: str) -> dict:
    stage = Stage.objects.get(slug=stage_slug)
    record = published_standings_for_stage(stage=stage)
    assert record is not None
    return next(row for row in record["rows"] if row["team"] == team)


def test_the_record_has_the_six_teams_with_their_consortium_members(loaded):
    members = {
        team.slug: team.memberships.count() for team in Team.objects.prefetch_related("memberships")
    }
    assert members == {
        "lg-ai-research": 11,  # lead + 9 listed + Elice (2026-02-25, uncertain)
        "sk-telecom": 8,
        "upstage": 13,
        "naver-cloud": 8,
        "nc-ai": 14,
        "motif-technologies": 17,
    }
    assert Program.objects.get().name_ko == "독자 AI 파운데이션 모델 프로젝트"


def test_every_stage_from_the_2025_call_to_the_final_is_there_in_order(loaded):
    kinds = list(Stage.objects.order_by("order").values_list("kind", flat=True))
    assert kinds == [
        "call",
        "document_review",
        "presentation_review",
        "showcase",
        "evaluation",
        "additional_call",
        "evaluation",
        "final",
    ]
    funnel = list(Stage.objects.order_by("order").values_list("teams_after", flat=True))
    assert funnel[:3] == [15, 10, 5]


def test_lg_ai_research_scored_90_2_in_stage_one_as_published(loaded):
    row = public_row("stage-1", "lg-ai-research")
    assert row["total"] == "90.2"
    assert row["points"]["benchmark"] == "33.6"
    assert (row["points"]["expert"], row["points"]["user"]) == ("31.6", "25.0")
    assert row["outcome"] == "advanced"


def test_naver_cloud_was_disqualified_by_the_independence_gate_despite_its_score(loaded):
    row = public_row("stage-1", "naver-cloud")
    assert row["outcome"] == "disqualified"
    assert row["reason_code"] == "gate_failed"
    assert row["failed_gates"] == ["independence"]
    assert "top-4" in row["reason_en"]
    assert Team.objects.get(slug="naver-cloud").status == Team.Status.DISQUALIFIED


def test_nc_ai_was_eliminated_with_the_lowest_total_and_its_scores_stay_not_disclosed(loaded):
    row = public_row("stage-1", "nc-ai")
    assert row["outcome"] == "eliminated"
    assert row["reason_code"] == "below_line"
    assert row["total"] is None
    assert set(row["points"].values()) == {None}


def test_only_the_disclosed_stage_one_numbers_are_stored(loaded):
    assert public_row("stage-1", "sk-telecom")["points"]["nia"] == "9.2"
    assert public_row("stage-1", "upstage")["points"]["global_individual"] == "10.0"
    disclosed = Score.objects.filter(participation__stage__slug="stage-1", value__isnull=False)
    assert disclosed.count() == 7  # LG's five + SKT's NIA + Upstage's individual
    stats = {
        (s["criterion"] or "total"): s["value"]
        for s in published_standings_for_stage(stage=Stage.objects.get(slug="stage-1"))[
            "statistics"
        ]
    }
    assert stats == {"total": "79.7", "benchmark": "30.4", "expert": "28.56", "user": "20.76"}


def test_motif_technologies_joined_at_the_additional_call(loaded):
    motif = Team.objects.get(slug="motif-technologies")
    assert motif.joined_stage.kind == Stage.Kind.ADDITIONAL_CALL
    assert motif.status == Team.Status.ACTIVE
    assert public_row("additional-call-2026", "motif-technologies")["outcome"] == "advanced"


def test_stage_two_has_its_four_teams_and_no_results(loaded):
    stage = Stage.objects.get(slug="stage-2")
    assert stage.status == Stage.Status.PLANNED
    teams = set(Participation.objects.filter(stage=stage).values_list("team__slug", flat=True))
    assert teams == {"lg-ai-research", "sk-telecom", "upstage", "motif-technologies"}
    assert not Score.objects.filter(participation__stage=stage).exists()
    assert not Decision.objects.filter(participation__stage=stage).exists()
    assert published_standings_for_stage(stage=stage) is None
    assert set(stage.criteria.values_list("max_points", flat=True)) == {None}  # not disclosed


def test_vaetki_keeps_the_press_name_varco_100b_as_an_alias(loaded):
    vaetki = AIModel.objects.get(name="VAETKI")
    assert "VARCO 100B" in vaetki.aliases
    assert vaetki.parameters_total_b == Decimal("112.2")
    assert vaetki.team.slug == "nc-ai"


def test_every_fact_keeps_its_source(loaded):
    assert Source.objects.filter(key="S36", url__contains="msit.go.kr").exists()
    assert Team.objects.filter(sources__isnull=True).count() == 0
    assert AIModel.objects.filter(sources__isnull=True).count() == 0


def test_loading_twice_changes_nothing(loaded):
    publications = list(Publication.objects.values_list("pk", "payload"))
    output = load()
    assert "nothing changed" in output
    assert list(Publication.objects.values_list("pk", "payload")) == publications


def test_staff_edits_are_kept_unless_the_loader_is_told_to_overwrite(loaded):
    Team.objects.filter(slug="upstage").update(summary_en="Edited by staff.")
    output = load()
    assert "kept as staff left them" in output
    assert "Team team upstage: summary_en" in output
    assert Team.objects.get(slug="upstage").summary_en == "Edited by staff."

    output = load("--force")
    assert "Updated: 1 teams." in output
    assert Team.objects.get(slug="upstage").summary_en != "Edited by staff."


def test_the_public_sees_the_published_team_statuses(loaded):
    from evaluations.selectors import teams_public

    statuses = {
        team.slug: team.public_status for team in teams_public(program=Program.objects.get())
    }
    assert statuses == {
        "lg-ai-research": "active",
        "sk-telecom": "active",
        "upstage": "active",
        "naver-cloud": "disqualified",
        "nc-ai": "eliminated",
        "motif-technologies": "active",
    }


def test_the_additional_call_counts_teams_applicants_and_the_selected_apart(loaded):
    from programs.selectors import stage_funnel, stages_for_program

    call = Stage.objects.get(slug="additional-call-2026")
    counts = (
        call.teams_in,
        call.applicants,
        call.applicants_selected,
        call.teams_out,
        call.teams_after,
    )
    assert counts == (3, 2, 1, 0, 4)
    assert stage_funnel(stages_for_program(Program.objects.get())) == [15, 10, 5, 3, 4]


def test_trillion_labs_applied_in_the_additional_call_but_is_no_team(loaded):
    from teams.models import StageApplicant

    applicants = {
        a.organization.slug: a
        for a in StageApplicant.objects.filter(stage__slug="additional-call-2026").select_related(
            "organization", "team"
        )
    }
    assert set(applicants) == {"motif-technologies", "trillion-labs"}
    trillion = applicants["trillion-labs"]
    assert (trillion.selected, trillion.team) == (False, None)
    assert trillion.name_ko == "트릴리온랩스"
    assert {"S25", "S28"} <= set(trillion.sources.values_list("key", flat=True))
    assert not Team.objects.filter(lead__slug="trillion-labs").exists()
    assert applicants["motif-technologies"].team.slug == "motif-technologies"


def test_vaetkis_press_names_cite_the_maeil_article(loaded):
    from teams.models import ModelAlias

    vaetki = AIModel.objects.get(slug="vaetki")
    cited = {
        alias.name: list(alias.sources.values_list("key", flat=True))
        for alias in ModelAlias.objects.filter(model=vaetki)
    }
    assert cited == {"VARCO 100B": ["S92"], "100B급 바르코": ["S92"]}
    # Every alias of every model has its row, citing at least one source.
    for model in AIModel.objects.prefetch_related("alias_entries__sources"):
        assert {a.name for a in model.alias_entries.all()} == set(model.aliases)
        assert all(a.sources.exists() for a in model.alias_entries.all())


def test_hyperclova_x_seed_models_have_their_korean_names(loaded):
    names = dict(
        AIModel.objects.filter(slug__startswith="hyperclova-x-seed").values_list("slug", "name_ko")
    )
    assert names == {
        "hyperclova-x-seed-8b-omni": "하이퍼클로바X 시드 8B 옴니",
        "hyperclova-x-seed-32b-think": "하이퍼클로바X 시드 32B 씽크",
    }


def test_a_stage_without_an_announcement_is_published_as_of_its_closing_day_not_the_load_day():
    call_command("load_program", stdout=StringIO())

    call = Publication.objects.get(stage__slug="call-2025")
    stage_1 = Publication.objects.get(stage__slug="stage-1")

    seoul = ZoneInfo("Asia/Seoul")
    assert call.published_at.astimezone(seoul) == dt.datetime(2025, 7, 21, tzinfo=seoul)
    assert stage_1.published_at.astimezone(seoul) == dt.datetime(2026, 1, 15, 10, tzinfo=seoul)
