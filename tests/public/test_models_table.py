"""The models table sorts and filters on the server with plain links and a GET form."""

from __future__ import annotations

import pytest

from tests.public.html import table_rows

pytestmark = pytest.mark.django_db


def model_names(client, query: str = "") -> list[str]:
    body = client.get("/en/models/" + query).content.decode()
    return [row[0] for row in table_rows(body, "models-table")[1:]]


def test_the_table_lists_every_model_by_name(client, record):
    names = model_names(client)

    assert names == sorted(names)
    assert {"K-EXAONE", "A.X K1", "Solar Open 100B", "VAETKI"} <= set(names)


def test_sorting_by_total_parameters_largest_first_puts_undisclosed_last(client, record):
    names = model_names(client, "?sort=total&dir=desc")

    assert names[0] == "A.X K1"  # 519B
    assert names.index("K-EXAONE") < names.index("Solar Open 100B")


def test_filtering_by_modality_keeps_only_matching_models(client, record):
    names = model_names(client, "?modality=audio")

    assert names and "K-EXAONE" not in names
    assert all("HyperCLOVA" in name for name in names)


def test_an_unknown_sort_or_filter_falls_back_to_the_plain_table(client, record):
    assert model_names(client, "?sort=drop+table&modality=smell") == model_names(client)


def test_the_column_headings_are_sort_links_and_say_which_is_sorted(client, record):
    body = client.get("/en/models/?sort=total").content.decode()

    assert 'aria-sort="ascending"' in body
    assert 'href="?sort=total&amp;dir=desc"' in body
