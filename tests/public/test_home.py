from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Stage
from teams.models import Team
from tests.factories import (
    ProgramFactory,
    PublicationFactory,
    SourceFactory,
    StageFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def without_csrf_token(content: bytes) -> bytes:
    # Public pages carry no form token (they are cached); kept so a token would not hide a diff.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def build_program(*, teams: int, stages: int):
    program = ProgramFactory()
    program.sources.add(SourceFactory(), SourceFactory())
    call = StageFactory(
        program=program, kind=Stage.Kind.CALL, status=Stage.Status.PUBLISHED, teams_in=15
    )
    for _ in range(stages):
        StageFactory(program=program, teams_in=5, teams_after=3)
    for _ in range(teams):
        TeamFactory(program=program, joined_stage=call)
    return program


def test_anonymous_visitor_sees_the_program_name_ministry_and_goal(client):
    build_program(teams=2, stages=1)

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "독자 AI 파운데이션 모델 프로젝트" in body
    assert "Sovereign AI Foundation Model Project" in body
    assert "과학기술정보통신부" in body
    assert "95%" in body


def test_home_is_korean_by_default(client):
    build_program(teams=1, stages=1)

    response = client.get("/")

    assert '<html lang="ko">' in response.content.decode()


def test_home_shows_the_stage_timeline_with_the_team_funnel(client):
    program = ProgramFactory()
    for order, (name, teams_in, teams_after) in enumerate(
        [("정예팀 공모", 15, 15), ("서면평가", 15, 10), ("발표평가", 10, 5)], start=1
    ):
        stage = StageFactory(
            program=program,
            order=order,
            kind=Stage.Kind.DOCUMENT_REVIEW,
            name_ko=name,
            teams_in=teams_in,
            teams_after=teams_after,
            status=Stage.Status.PUBLISHED,
        )
        PublicationFactory(snapshot__stage=stage)

    body = client.get("/").content.decode()

    timeline = body[body.index('id="timeline-title"') :]
    assert timeline.index("정예팀 공모") < timeline.index("서면평가") < timeline.index("발표평가")
    steps = [
        '<span class="funnel__step">15</span>',
        '<span class="funnel__step">10</span>',
        '<span class="funnel__step">5</span>',
    ]
    assert all(step in body for step in steps)
    assert body.index(steps[0]) < body.index(steps[1]) < body.index(steps[2])


def test_home_lists_the_teams_with_their_lead_organisation(client):
    program = build_program(teams=0, stages=0)
    team = TeamFactory(program=program, name_ko="LG AI연구원 컨소시엄", lead__name_ko="LG AI연구원")

    body = client.get("/").content.decode()

    assert team.name_ko in body
    assert "LG AI연구원" in body


def test_home_with_an_empty_database_says_how_to_load_the_program(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "python manage.py load_program" in response.content.decode()


def test_home_uses_the_same_number_of_queries_for_3_or_12_teams(client):
    program = build_program(teams=3, stages=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200

    call = program.stages.get(kind=Stage.Kind.CALL)
    for _ in range(9):
        TeamFactory(program=program, joined_stage=call)
    for _ in range(6):
        StageFactory(program=program)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/").status_code == 200

    assert Team.objects.count() == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_home_is_in_english_for_an_english_browser(client):
    program = build_program(teams=0, stages=0)
    StageFactory(program=program, name_ko="1차 단계평가", name_en="Stage-1 evaluation")

    body = client.get("/en/").content.decode()

    assert '<html lang="en">' in body
    assert "Stage-1 evaluation" in body
    assert "1차 단계평가" not in body


def test_the_address_decides_the_language_whatever_the_cookie(client):
    program = build_program(teams=0, stages=0)
    StageFactory(program=program, name_ko="1차 단계평가", name_en="Stage-1 evaluation")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    body = client.get("/en/").content.decode()

    assert '<html lang="en">' in body
    assert "Stage-1 evaluation" in body


def test_head_request_is_answered_without_a_body(client):
    build_program(teams=1, stages=1)

    response = client.head("/")

    assert response.status_code == 200
    assert response.content == b""


def test_post_to_home_is_not_allowed(client):
    response = client.post("/")

    assert response.status_code == 405


def test_the_same_request_twice_gives_the_same_page(client):
    build_program(teams=2, stages=2)

    first = client.get("/")
    second = client.get("/")

    assert first.status_code == second.status_code == 200
    assert without_csrf_token(first.content) == without_csrf_token(second.content)


def test_the_interface_is_in_korean_by_default_and_english_on_request(client):
    program = build_program(teams=1, stages=1)
    program.stages.update(status=Stage.Status.PUBLISHED)

    korean = client.get("/").content.decode()
    english = client.get("/en/").content.decode()

    assert "주관 기관" in korean and "발표됨" in korean
    assert "Lead organisation" in english and "Published" in english


def test_a_source_that_is_not_online_is_cited_without_a_link(client):
    program = build_program(teams=0, stages=0)
    program.sources.add(SourceFactory(url="", publisher="MSIT briefing handout"))

    body = client.get("/").content.decode()

    assert "MSIT briefing handout" in body
    assert 'href=""' not in body


def test_the_additional_call_counts_say_what_they_mean(client, record):
    body = " ".join(client.get("/en/").content.decode().split())
    # The timeline's entry (the latest announcement names the same stage, without counts).
    entry = body[body.index('<h3 class="stage__name"><a href="/en/stages/additional-call') :]
    call = entry[: entry.index("</li>")]

    for label, number in (
        ("teams in the program", 3),
        ("applicants", 2),
        ("selected", 1),
        ("teams after", 4),
    ):
        assert f'<span class="count__label">{label}</span> <strong>{number}</strong>' in call


def test_the_funnel_follows_the_publications_to_the_planned_final_two(client, record):
    body = " ".join(client.get("/en/").content.decode().split())
    funnel = body[body.index('<p class="funnel"') :]
    funnel = funnel[: funnel.index("</p>")]
    steps = re.findall(r'class="funnel__step[^"]*">([^<]+)<', funnel)

    assert steps == ["15", "10", "5", "3", "4", "…", "2"]
    assert "(+1 selected)" in funnel and "(planned)" in funnel


def test_a_finalized_stage_shows_no_typed_team_counts_on_the_home_page(client, record):
    stage_2 = Stage.objects.get(program__slug__isnull=False, slug="stage-2")
    Stage.objects.filter(pk=stage_2.pk).update(
        status=Stage.Status.FINALIZED, teams_out=1, teams_after=3
    )

    body = " ".join(client.get("/en/").content.decode().split())
    stage = body[body.index("Stage-2 evaluation</a>") :]
    stage = stage[: stage.index("</li>")]

    assert "teams after" not in stage and 'count__label">out<' not in stage
    assert "Under evaluation" in stage
