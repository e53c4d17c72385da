"""sitemap.xml: the public pages in both languages with their alternates.

A stage's last modification is its latest visible publication; an unpublished stage carries no
date, so the sitemap never hints that something is about to change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from evaluations.selectors import publications_latest_by_stage
from programs.models import Stage
from programs.selectors import program_for_home, stages_for_program
from teams.models import AIModel, Team
from teams.selectors import models_public, teams_for_program


class _I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(_I18nSitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["public:home", "public:models", "public:announcements"]

    def location(self, item: str) -> str:  # type: ignore[override]
        return reverse(item)


class StagesSitemap(_I18nSitemap):
    def items(self) -> list[Stage]:
        program = program_for_home()
        if program is None:
            return []
        stages = stages_for_program(program)
        latest = publications_latest_by_stage(program=program)
        for stage in stages:
            publication = latest.get(stage.pk)
            stage.public_lastmod = publication.published_at if publication else None  # type: ignore[attr-defined]
        return stages

    def location(self, item: Stage) -> str:  # type: ignore[override]
        return reverse("public:stage", kwargs={"slug": item.slug})

    def lastmod(self, item: Stage) -> dt.datetime | None:
        return getattr(item, "public_lastmod", None)


class TeamsSitemap(_I18nSitemap):
    def items(self) -> list[Team]:
        program = program_for_home()
        return list(teams_for_program(program)) if program is not None else []

    def location(self, item: Team) -> str:  # type: ignore[override]
        return reverse("public:team", kwargs={"slug": item.slug})


class ModelsSitemap(_I18nSitemap):
    def items(self) -> list[AIModel]:
        program = program_for_home()
        return models_public(program=program) if program is not None else []

    def location(self, item: AIModel) -> str:  # type: ignore[override]
        return reverse("public:model", kwargs={"slug": item.slug})


SITEMAPS: dict[str, Any] = {
    "pages": PagesSitemap,
    "stages": StagesSitemap,
    "teams": TeamsSitemap,
    "models": ModelsSitemap,
}
