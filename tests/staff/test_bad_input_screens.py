"""The bad-input drill through the staff screens (see tests/bad_input.py): files uploaded on
the import screen and marks posted to the score grid, cell by cell and row by row. Whatever
arrives, the answer is never a server error, a refusal saves nothing, and the person is told
which row and which column (or which cell) is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, example, given
from hypothesis import strategies as st

from evaluations.models import Score, ScoreImport
from evaluations.services.imports import problem_column
from programs.numbers import mark_parse
from tests.bad_input import (
    assert_problems_name_row_and_column,
    build_drill_stage,
    drill_settings,
    evaluator_texts,
    import_files,
    posted_marks,
    score_fingerprint,
)
from tests.builders import StageScenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill() -> StageScenario:
    return build_drill_stage()


@pytest.fixture
def clerk(drill: StageScenario) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(drill.users["clerk"])
    return client


def rolled_back(check: Any) -> None:
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


# --- The import screen --------------------------------------------------------------------------

file_names = st.sampled_from(
    ["marks.csv", "점수.xlsx", "no extension", "a" * 300 + ".csv", "../../etc/passwd", "x\x00.csv"]
)


@drill_settings(60)
@given(content=import_files, name=file_names)
@example(content="팀,평가항목,점수\r\nalpha,전문가,30\r\n".encode(), name="marks.csv")  # was: 500
def test_an_uploaded_file_is_shown_with_its_problems_by_row_and_column_or_applied_whole(
    drill, clerk, django_capture_on_commit_callbacks, content, name
):
    url = reverse("staff:stage_import", kwargs={"stage_id": drill.stage.pk})

    def check() -> None:
        before = score_fingerprint()
        # A large file is checked by a job queued on commit; run it, as the worker would.
        with django_capture_on_commit_callbacks(execute=True):
            uploaded = clerk.post(url, {"file": SimpleUploadedFile(name, content)})
        if uploaded.status_code == 400:  # refused on the form (an empty upload)
            event("refused on the form")
            assert 'class="errorlist' in uploaded.content.decode()
            assert score_fingerprint() == before
            return
        assert uploaded.status_code == 302
        response = clerk.get(uploaded["Location"])  # the preview
        assert response.status_code == 200
        score_import = ScoreImport.objects.get(pk=response.resolver_match.kwargs["import_id"])
        event(score_import.status)
        page = response.content.decode()
        assert_problems_name_row_and_column(score_import.problems)
        for problem in score_import.problems:
            if problem["row"] is not None:
                assert f'<td class="num">{problem["row"]}</td>' in page
                assert f"<td>{escape(problem_column(problem) or '—')}</td>" in page
        apply_url = reverse(
            "staff:import_apply",
            kwargs={"stage_id": drill.stage.pk, "import_id": score_import.pk},
        )
        applied = clerk.post(apply_url, follow=True)
        assert applied.status_code == 200
        score_import.refresh_from_db()
        if score_import.problems:
            assert score_import.status == ScoreImport.Status.INVALID
            assert score_fingerprint() == before
        else:
            assert score_import.status == ScoreImport.Status.APPLIED
            assert 'data-testid="import-applied"' in applied.content.decode()

    rolled_back(check)


# --- The score grid -----------------------------------------------------------------------------
# Posts name teams and criteria by slug and code ("alpha", "nia"); each test puts in their ids.
# Anything else stands for itself: an id of nothing, or not an id at all.

odd_ids = st.one_of(
    st.sampled_from(["", "0", "-1", "abc", "1.5", "99999999999999999999", "١", "3\x00"]),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
versions = st.sampled_from(["", "0", "1", "2", "-1", "x", "99999999999999999999", "1\x00"])
CODES = ("benchmark", "nia", "common", "individual", "expert", "user", "tgt")


def mostly(usual: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three times in four the usual value, else an odd one."""
    return st.integers(0, 3).flatmap(lambda pick: odd if pick == 0 else usual)


teams = mostly(st.sampled_from(["alpha", "beta"]), odd_ids)
criteria = mostly(st.sampled_from(CODES), odd_ids)
evaluators = mostly(st.sampled_from(["", "", "E01", "E02"]), evaluator_texts)


@st.composite
def cell_posts(draw: st.DrawFn) -> dict[str, str]:
    """What a grid cell posts (participation, criterion, evaluator, version, value), each
    field mostly a real one, so that most posts reach the rules of the mark itself."""
    data = {
        "participation": draw(teams),
        "criterion": draw(criteria),
        "evaluator": draw(evaluators),
        "version": draw(versions),
    }
    typed = draw(posted_marks)
    if draw(st.booleans()):
        data["value"] = typed
    else:  # the grid's input posts under its row-form name
        data[f"m:{data['criterion']}:{data['evaluator']}"] = typed
    return data


def with_ids(drill: StageScenario, post: dict[str, str]) -> dict[str, str]:
    """The post with the slugs and codes it names replaced by their ids."""

    def pk(ref: str) -> str:
        if ref in drill.participations:
            return str(drill.participations[ref].pk)
        return str(drill.criteria[ref].pk) if ref in drill.criteria else ref

    real: dict[str, str] = {}
    for key, value in post.items():
        if key in ("participation", "criterion"):
            value = pk(value)
        elif key[:2] in ("m:", "v:") and key.count(":") >= 2:
            kind, criterion, evaluator = key.split(":", 2)
            key = f"{kind}:{pk(criterion)}:{evaluator}"
        real[key] = value
    return real


@drill_settings(150)
@given(post=cell_posts())
# Each was a server error: a NUL in the evaluator code, a mark too large for its column, and a
# number of more than 28 digits (Decimal could not round it).
@example(post={"participation": "alpha", "criterion": "nia", "evaluator": "E\x0001", "value": ""})
@example(post={"participation": "alpha", "criterion": "tgt", "evaluator": "", "value": "1234567"})
@example(
    post={
        "participation": "alpha",
        "criterion": "tgt",
        "evaluator": "",
        "value": "1" + "0" * 40 + ".0000",
    }
)
def test_a_cell_post_is_saved_as_read_or_refused_in_the_cell_without_a_server_error(
    drill, clerk, post
):
    url = reverse("staff:score_cell", kwargs={"stage_id": drill.stage.pk})
    typed = post.get("value", post.get(f"m:{post['criterion']}:{post['evaluator']}", ""))
    named = (
        drill.participations.get(post["participation"]),
        drill.criteria.get(post["criterion"]),
        post["evaluator"].strip(),
    )

    def check() -> None:
        before = score_fingerprint()
        response = clerk.post(url, with_ids(drill, post))
        event(str(response.status_code))
        assert response.status_code in (200, 404, 409, 422), response.status_code
        if response.status_code != 200:
            assert score_fingerprint() == before
        participation, criterion, evaluator = named
        if response.status_code == 422:
            # The message, in the cell of the row's team and the column's criterion.
            page = response.content.decode()
            assert 'class="cell__msg" role="alert"' in page
            label = escape(f"{participation.team.name} {criterion.name} {evaluator}")
            assert f'aria-label="{label}"' in page
        if response.status_code == 200 and score_fingerprint() != before:
            saved = Score.objects.get(
                participation=participation, criterion=criterion, evaluator_code=evaluator
            )
            assert saved.value == mark_parse(typed).value

    rolled_back(check)


@st.composite
def row_posts(draw: st.DrawFn) -> dict[str, str]:
    """What the grid's row form posts: marks under m:<criterion>:<evaluator> and the versions
    they were loaded with under v:<criterion>:<evaluator>, real or not."""
    data: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 5))):
        criterion, evaluator = draw(criteria), draw(evaluators)
        data[f"m:{criterion}:{evaluator}"] = draw(posted_marks)
        if draw(st.booleans()):
            data[f"v:{criterion}:{evaluator}"] = draw(versions)
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.sampled_from(["m:", "m", "m::", "m:x:y:z", "v:"]))] = draw(posted_marks)
    return data


@drill_settings(100)
@given(post=row_posts(), team=st.sampled_from(["alpha", "beta"]))
@example(post={"m:benchmark:": "9"}, team="alpha")  # was: a refusal naming no cell
@example(post={"m:nia:E01": "9"}, team="beta")
def test_a_row_post_is_saved_whole_or_refused_naming_each_cell(drill, clerk, post, team):
    url = reverse(
        "staff:score_row",
        kwargs={"stage_id": drill.stage.pk, "participation_id": drill.participations[team].pk},
    )
    names = tuple(c.name for c in drill.criteria.values())

    def check() -> None:
        before = score_fingerprint()
        clerk.cookies.pop("messages", None)  # only this post's messages
        response = clerk.post(url, with_ids(drill, post))
        assert response.status_code == 302, response.status_code
        said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
        errors = [text for level, text in said if level == "error"]
        event("refused" if errors else "saved")
        if errors:
            assert score_fingerprint() == before
            # The cell refused is named by its criterion (the column; the row is the team's).
            assert any(text.startswith(names) for text in errors), errors
        else:
            assert [level for level, _text in said] == ["success"], said

    rolled_back(check)
