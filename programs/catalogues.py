"""Translation catalogues compiled in pure Python, so a machine without GNU gettext runs the app.

Each app keeps its own catalogue (`<app>/locale/<lang>/LC_MESSAGES/django.po`), the project
`locale/` holds the strings of the shared `templates/`. The compiled `.mo` files are committed;
`compile_catalogues` (run by `make run`) rewrites one only when its messages differ from its
`.po`, and a test fails when a committed `.mo` is stale. Messages are compared, not bytes, so a
`.mo` written by `msgfmt` counts as current too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

# Folders under the project that never hold our catalogues.
SKIPPED_DIRS = {".venv", "node_modules", "staticfiles", ".git"}

Messages = dict[tuple[str, str], str | tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Catalogue:
    po: Path

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")


def catalogues(base_dir: Path) -> Iterator[Catalogue]:
    """Every `LC_MESSAGES/*.po` of the project: the project `locale/` and each app's."""
    for po in sorted(base_dir.glob("**/locale/*/LC_MESSAGES/*.po")):
        if not SKIPPED_DIRS.intersection(po.relative_to(base_dir).parts):
            yield Catalogue(po)


def _messages(entries: list[polib.POEntry] | list[polib.MOEntry]) -> Messages:
    found: Messages = {}
    for entry in entries:
        if not entry.msgid:
            continue  # the header
        key = (entry.msgctxt or "", entry.msgid)
        if entry.msgid_plural:
            plural = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if any(plural):
                found[key] = plural
        elif entry.msgstr:
            found[key] = entry.msgstr
    return found


def po_messages(path: Path) -> Messages:
    # Like msgfmt: fuzzy and untranslated entries are left out, so the English source shows.
    return _messages(polib.pofile(str(path)).translated_entries())


def mo_messages(path: Path) -> Messages:
    return _messages(list(polib.mofile(str(path))))


def is_current(catalogue: Catalogue) -> bool:
    return catalogue.mo.exists() and mo_messages(catalogue.mo) == po_messages(catalogue.po)


def compile_catalogue(catalogue: Catalogue) -> None:
    polib.pofile(str(catalogue.po)).save_as_mofile(str(catalogue.mo))
