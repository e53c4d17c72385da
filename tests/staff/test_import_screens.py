"""The import screens: template, upload, preview with every problem, apply, progress, retry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evaluations.models import Score, ScoreImport
from evaluations.services import imports
from programs.models import Stage
from tests.builders import build_stage
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db

HEADER = "팀,평가항목,평가위원,점수\r\n"


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def signed_in(scenario, who: str = "clerk", language: str = "ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(scenario.users[who])
    return client


def csv_file(rows: list[str], *, encoding: str = "utf-8", name: str = "marks.csv"):
    content = (HEADER + "".join(r + "\r\n" for r in rows)).encode(encoding)
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload(client: Client, scenario, file) -> object:
    url = reverse("staff:stage_import", kwargs={"stage_id": scenario.stage.pk})
    return client.post(url, {"file": file}, follow=True)


def an_import(scenario, rows=("alpha,nia,,9",)) -> ScoreImport:
    content = (HEADER + "".join(r + "\r\n" for r in rows)).encode()
    return imports.score_import_receive(
        stage_id=scenario.stage.pk, user=scenario.users["clerk"], filename="m.csv", content=content
    )


EXPECTED = {"anonymous": "sign_in", "norole": "forbidden", "verifier": "forbidden"}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    "name",
    [
        "stage_import",
        "import_template_xlsx",
        "import_template_csv",
        "import_detail",
        "import_status",
    ],
)
def test_who_may_open_the_import_screens(scenario, as_person, person, name):
    kwargs = {"stage_id": scenario.stage.pk}
    if name in ("import_detail", "import_status"):
        kwargs["import_id"] = an_import(scenario).pk
    url = reverse(f"staff:{name}", kwargs=kwargs)
    response = as_person(person).get(url)
    assert_access(response, EXPECTED.get(person, "ok"), url)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", ["import_apply", "import_recheck"])
def test_who_may_apply_or_recheck_an_import(scenario, as_person, person, name):
    score_import = an_import(scenario)
    url = reverse(
        f"staff:{name}", kwargs={"stage_id": scenario.stage.pk, "import_id": score_import.pk}
    )
    response = as_person(person).post(url)
    expected = EXPECTED.get(person)
    if expected:
        assert_access(response, expected, url)
        assert not Score.objects.exists()
    else:
        assert response.status_code == 302


def test_apply_and_recheck_refuse_get(scenario):
    score_import = an_import(scenario)
    url = reverse(
        "staff:import_apply", kwargs={"stage_id": scenario.stage.pk, "import_id": score_import.pk}
    )
    assert signed_in(scenario).get(url).status_code == 405


def test_an_import_of_another_stage_is_not_found(scenario):
    score_import = an_import(scenario)
    url = reverse(
        "staff:import_detail",
        kwargs={"stage_id": scenario.next_stage.pk, "import_id": score_import.pk},
    )
    assert signed_in(scenario).get(url).status_code == 404


def test_the_templates_download_as_xlsx_and_csv(scenario):
    client = signed_in(scenario)
    kwargs = {"stage_id": scenario.stage.pk}
    xlsx = client.get(reverse("staff:import_template_xlsx", kwargs=kwargs))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="stage-1-scores.xlsx"' in xlsx["Content-Disposition"]
    csv = client.get(reverse("staff:import_template_csv", kwargs=kwargs))
    assert csv.content.startswith("\ufeff팀,평가항목,평가위원,점수".encode())


def test_a_cp949_csv_is_previewed_then_applied(scenario):
    client = signed_in(scenario)
    response = upload(
        client, scenario, csv_file(["alpha,전문가,E01,30", "beta,nia,,7.5"], encoding="cp949")
    )
    page = response.content.decode()
    assert "문제가 없습니다" in page or "No problems found" in page
    assert "E01" in page and "7.5" in page
    assert not Score.objects.exists()

    score_import = ScoreImport.objects.get()
    apply_url = reverse(
        "staff:import_apply", kwargs={"stage_id": scenario.stage.pk, "import_id": score_import.pk}
    )
    response = client.post(apply_url, follow=True)
    assert response.status_code == 200
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal("7.5"), Decimal(30)]
    assert 'data-testid="import-applied"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", ["행", "열", "D (점수)", "최대"]),
        ("en", ["Row", "Column", "D (Score)", "is above the maximum of 10.0 points"]),
    ],
)
def test_problems_are_listed_by_row_and_column_in_korean_and_english(scenario, language, expected):
    client = signed_in(scenario, language=language)
    response = upload(client, scenario, csv_file(["alpha,nia,,9", "beta,nia,,11", "gamma,nia,,1"]))
    page = response.content.decode()
    assert 'data-testid="import-problems"' in page
    for text in expected:
        assert text in page
    assert "gamma" in page  # the unknown team, named
    assert not Score.objects.exists()


def test_a_file_too_large_is_refused_on_the_form(scenario, settings):
    client = signed_in(scenario, language="en")
    big = SimpleUploadedFile("big.csv", b"a" * (imports.MAX_BYTES + 1))
    url = reverse("staff:stage_import", kwargs={"stage_id": scenario.stage.pk})
    response = client.post(url, {"file": big})
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not ScoreImport.objects.exists()


def test_the_same_file_twice_lands_on_the_first_import(scenario):
    client = signed_in(scenario)
    upload(client, scenario, csv_file(["alpha,nia,,9"]))
    score_import = ScoreImport.objects.get()
    client.post(
        reverse(
            "staff:import_apply",
            kwargs={"stage_id": scenario.stage.pk, "import_id": score_import.pk},
        )
    )
    response = upload(client, scenario, csv_file(["alpha,nia,,9"]))
    assert response.redirect_chain[-1][0].endswith(f"/import/{score_import.pk}/")
    assert Score.objects.get().version == 1


def test_a_failed_import_is_retried_from_the_screen(scenario):
    score_import = an_import(scenario)
    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.REVIEW)
    client = signed_in(scenario, language="en")
    kwargs = {"stage_id": scenario.stage.pk, "import_id": score_import.pk}
    response = client.post(reverse("staff:import_apply", kwargs=kwargs), follow=True)
    page = response.content.decode()
    assert 'data-testid="import-failed"' in page
    assert "Retry the import" in page
    assert not Score.objects.exists()

    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.SCORING)
    response = client.post(reverse("staff:import_apply", kwargs=kwargs), follow=True)
    assert 'data-testid="import-applied"' in response.content.decode()
    assert Score.objects.get().value == Decimal(9)


def test_a_running_job_shows_a_progress_bar_that_polls_and_survives_a_reload(scenario):
    score_import = an_import(scenario)
    # As if the job had been queued and had got through part of the file.
    ScoreImport.objects.filter(pk=score_import.pk).update(
        status=ScoreImport.Status.QUEUED, rows_total=1000
    )
    imports._set_progress(score_import.pk, 400)
    client = signed_in(scenario, language="en")
    kwargs = {"stage_id": scenario.stage.pk, "import_id": score_import.pk}
    page = client.get(reverse("staff:import_detail", kwargs=kwargs)).content.decode()
    assert '<progress max="1000" value="400"' in page
    assert "400 of 1000 rows" in page
    assert f'hx-get="{reverse("staff:import_status", kwargs=kwargs)}"' in page

    status = client.get(reverse("staff:import_status", kwargs=kwargs), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in status
    ScoreImport.objects.filter(pk=score_import.pk).update(status=ScoreImport.Status.APPLIED)
    status = client.get(reverse("staff:import_status", kwargs=kwargs), HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true"
