"""Atom feed of announcements (each publication and correction), one per language."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from evaluations.models import Publication
from evaluations.selectors import OUT_OUTCOMES, announcements_public
from public.presenters import localized, outcome_label

FEED_LENGTH = 50


class AnnouncementsFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return _("Sovereign AI Foundation Model Project: announcements")

    def subtitle(self) -> str:
        return _("Every published stage result and correction, newest first.")

    def link(self) -> str:
        return reverse("public:announcements")

    def feed_url(self) -> str:
        return reverse("public:feed")

    def items(self) -> list[Publication]:
        return announcements_public(limit=FEED_LENGTH)

    def item_title(self, item: Publication) -> str:
        name = item.stage.localized("name")
        if item.corrects_id:
            return _("%(stage)s: correction no. %(number)d") % {
                "stage": name,
                "number": item.sequence - 1,
            }
        return _("%(stage)s: results published") % {"stage": name}

    def item_description(self, item: Publication) -> str:
        rows = item.payload.get("rows") or []
        lines = []
        if item.corrects_id:
            lines.append(localized({"note_ko": item.note_ko, "note_en": item.note_en}, "note"))
        went_on = [localized(r, "team_name") for r in rows if r.get("outcome") == "advanced"]
        went_out = [
            "{} ({}: {})".format(
                localized(r, "team_name"), outcome_label(r.get("outcome")), localized(r, "reason")
            )
            for r in rows
            if r.get("outcome") in OUT_OUTCOMES
        ]
        if went_on:
            lines.append(_("Went on: %(teams)s.") % {"teams": ", ".join(went_on)})
        if went_out:
            lines.append(_("Out: %(teams)s.") % {"teams": "; ".join(went_out)})
        return " ".join(lines)

    def item_link(self, item: Publication) -> str:
        return (
            reverse("public:stage", kwargs={"slug": item.stage.slug})
            + f"#publication-{item.sequence}"
        )

    def item_guid(self, item: Publication) -> str:
        return (
            self.request.build_absolute_uri(
                reverse("public:stage", kwargs={"slug": item.stage.slug})
            )
            + f"#publication-{item.sequence}"
        )

    item_guid_is_permalink = False

    def item_pubdate(self, item: Publication) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Publication) -> dt.datetime:
        return item.published_at
