"""Translation catalogues: compiled in pure Python, committed, and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from programs.catalogues import Catalogue, catalogues, compile_catalogue, is_current

ALL = list(catalogues(Path(settings.BASE_DIR)))


def test_the_project_and_each_domain_app_have_a_korean_catalogue():
    found = {str(c.po.relative_to(settings.BASE_DIR)) for c in ALL}

    assert "evaluations/locale/ko/LC_MESSAGES/django.po" in found
    assert "locale/ko/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize("catalogue", ALL, ids=lambda c: str(c.po.relative_to(settings.BASE_DIR)))
def test_each_committed_mo_matches_its_po(catalogue):
    assert is_current(catalogue), (
        f"{catalogue.mo} is missing or stale: run `manage.py compile_catalogues` and commit it"
    )


@pytest.mark.parametrize("catalogue", ALL, ids=lambda c: str(c.po.relative_to(settings.BASE_DIR)))
def test_no_translation_is_left_fuzzy(catalogue):
    # A fuzzy entry is left out of the compiled catalogue: staff would see English.
    assert [e.msgid for e in polib.pofile(str(catalogue.po)) if "fuzzy" in e.flags] == []


def copy_of(catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    copy = Catalogue(tmp_path / "django.po")
    shutil.copy(catalogue.po, copy.po)
    shutil.copy(catalogue.mo, copy.mo)
    return copy


def test_a_changed_translation_makes_the_mo_stale_until_it_is_compiled(tmp_path):
    catalogue = copy_of(ALL[0], tmp_path)
    po = polib.pofile(str(catalogue.po))
    entry = next(e for e in po if e.msgstr)
    entry.msgstr += " (고침)"
    po.save()

    assert not is_current(catalogue)
    compile_catalogue(catalogue)
    assert is_current(catalogue)
    assert polib.mofile(str(catalogue.mo)).find(entry.msgid).msgstr.endswith(" (고침)")


def test_the_check_command_fails_naming_a_stale_catalogue(tmp_path, settings):
    app = tmp_path / "someapp" / "locale" / "ko" / "LC_MESSAGES"
    app.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ko"}
    po.append(polib.POEntry(msgid="Stage", msgstr="단계"))
    po.save(str(app / "django.po"))
    settings.BASE_DIR = tmp_path

    with pytest.raises(CommandError, match=r"someapp/locale/ko/LC_MESSAGES/django\.po"):
        call_command("compile_catalogues", "--check")
    call_command("compile_catalogues")
    call_command("compile_catalogues", "--check")
    assert polib.mofile(str(app / "django.mo")).find("Stage").msgstr == "단계"
