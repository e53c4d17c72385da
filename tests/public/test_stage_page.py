"""The stage page: stage 1 as the ministry announced it on 2026-01-15, stage 2 not yet."""

from __future__ import annotations

import pytest

from tests.public.html import row_for, table_rows

pytestmark = pytest.mark.django_db

# Columns: rank, team, NIA, global common, global individual, benchmark subtotal, expert, user,
# total, outcome.
NIA, COMMON, INDIVIDUAL, BENCHMARK, EXPERT, USER, TOTAL, OUTCOME = range(2, 10)


def team_rows(rows: list[list[str]]) -> list[list[str]]:
    """The body rows: ten cells and a rank cell (the field average row has an empty one)."""
    return [row for row in rows if len(row) == 10 and row[0]]


def standings(client, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200
    return table_rows(response.content.decode(), "standings")


def test_stage_1_shows_lg_ai_research_first_with_its_published_points(client, record):
    rows = standings(client, "/en/stages/stage-1/")

    lg = row_for(rows, "LG AI Research")
    assert lg[0] == "1"
    assert lg[NIA : OUTCOME + 1] == [
        "9.2",
        "14.4",
        "10.0",
        "33.6",
        "31.6",
        "25.0",
        "90.2",
        "Advanced",
    ]
    assert team_rows(rows)[0][1] == "LG AI Research consortium"


def test_stage_1_shows_the_field_averages(client, record):
    rows = standings(client, "/en/stages/stage-1/")

    average = row_for(rows, "Field average")
    assert "5 teams" in average[1]
    assert average[BENCHMARK] == "30.4"
    assert average[EXPERT] == "28.56"
    assert average[USER] == "20.76"
    assert average[TOTAL] == "79.7"
    assert average[NIA] == "not disclosed"


def test_stage_1_shows_the_single_numbers_published_for_sk_telecom_and_upstage(client, record):
    rows = standings(client, "/en/stages/stage-1/")

    skt = row_for(rows, "SK Telecom")
    upstage = row_for(rows, "Upstage")
    assert skt[NIA] == "9.2"
    assert upstage[INDIVIDUAL] == "10.0"
    assert skt[0] == upstage[0] == "not disclosed"
    for cell in (COMMON, INDIVIDUAL, BENCHMARK, EXPERT, USER, TOTAL):
        assert skt[cell] == "not disclosed"
    for cell in (NIA, COMMON, BENCHMARK, EXPERT, USER, TOTAL):
        assert upstage[cell] == "not disclosed"


@pytest.mark.parametrize(
    ("path", "word"), [("/stages/stage-1/", "비공개"), ("/en/stages/stage-1/", "not disclosed")]
)
def test_no_undisclosed_number_is_shown_as_zero_or_blank(client, record, path, word):
    rows = standings(client, path)

    teams = team_rows(rows)
    assert len(teams) == 5
    for row in teams:
        for cell in row[NIA : TOTAL + 1]:
            assert cell and cell not in ("0", "0.0"), row
    # Naver Cloud and NC AI: all 7 numbers; SK Telecom and Upstage: 6 of 7; 4 ranks.
    assert sum(row.count(word) for row in teams) == 2 * 7 + 6 + 6 + 4


def test_naver_cloud_is_out_for_the_independence_requirement_despite_a_top_four_score(
    client, record
):
    body = client.get("/en/stages/stage-1/").content.decode()

    naver = row_for(table_rows(body, "standings"), "Naver Cloud")
    assert naver[OUTCOME] == "Disqualified"
    assert "failing the independence requirement despite a top-4 total score" in body
    assert "Failed requirement: Independence" in " ".join(body.split())


def test_nc_ai_is_eliminated_with_the_lowest_total(client, record):
    body = client.get("/en/stages/stage-1/").content.decode()

    nc = row_for(table_rows(body, "standings"), "NC AI")
    assert nc[OUTCOME] == "Eliminated"
    assert "Eliminated with the lowest total score of the five teams" in body


def test_the_teams_that_went_out_are_listed_below_the_elimination_line(client, record):
    rows = standings(client, "/en/stages/stage-1/")

    names = [row[1] for row in rows if len(row) == 10] + [row[0] for row in rows if len(row) == 1]
    order = [row[0] if len(row) == 1 else row[1] for row in rows if len(row) in (1, 10)]
    line = next(i for i, text in enumerate(order) if text.startswith("Elimination line"))
    above, below = order[:line], order[line + 1 :]
    assert {"LG AI Research consortium", "SK Telecom consortium", "Upstage consortium"} <= set(
        above
    )
    assert {"Naver Cloud consortium", "NC AI consortium"} <= set(below)
    assert names


def test_the_plan_of_one_team_out_is_shown_beside_the_two_that_went_out(client, record):
    body = " ".join(client.get("/en/stages/stage-1/").content.decode().split())

    assert "The lowest-ranked team is eliminated." in body
    assert "2 teams went out; 3 teams went on." in body
    assert "The rule alone would have put 1 team out." in body


def test_the_korean_page_says_the_same_in_korean(client, record):
    body = " ".join(client.get("/stages/stage-1/").content.decode().split())

    assert '<html lang="ko">' in body
    assert "1차 단계평가" in body
    assert "LG AI연구원 컨소시엄" in body
    assert "독자성 요건 미충족으로 탈락" in body
    assert "비공개" in body


def test_the_methodology_and_sources_are_on_the_page(client, record):
    body = " ".join(client.get("/en/stages/stage-1/").content.decode().split())

    for text in (
        "How this stage was scored",
        "Benchmark evaluation</strong> — 40 points",
        "NIA benchmark</strong> — 10 points",
        "Expert evaluation</strong> — 35 points",
        "User evaluation</strong> — 25 points",
        "Independence",
        "initialised and trained from scratch",
        "share a rank (1, 2, 2, 4)",
    ):
        assert text in body, text
    assert 'id="source-S36"' in body or 'id="source-S1"' in body


def test_the_chart_draws_the_published_points_with_a_text_alternative(client, record):
    body = client.get("/en/stages/stage-1/").content.decode()

    svg = body[body.index('<svg class="chart chart--standings"') : body.index("</svg>")]
    assert 'role="img"' in svg
    assert "LG AI Research consortium: total 90.2" in svg
    assert "Field average total: 79.7." in svg
    assert "elimination line" in svg
    # SK Telecom's one published part is drawn; nothing is drawn for NC AI.
    assert "NIA benchmark: 9.2" in svg
    assert "NC AI consortium: total not disclosed (points not disclosed)" in svg


def test_a_stage_whose_date_passed_without_publication_says_so_and_shows_only_its_schedule(
    client, record
):
    body = " ".join(client.get("/en/stages/stage-2/").content.decode().split())

    assert "Stage-2 evaluation" in body
    assert "the results have not been published yet" in body
    assert 'class="standings"' not in body
    assert "How this stage was scored" not in body
    assert "2026-08" in body


def test_an_unknown_stage_is_not_found(client, record):
    assert client.get("/stages/stage-9/").status_code == 404
    assert client.get("/en/stages/stage-9/").status_code == 404
