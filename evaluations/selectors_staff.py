"""Reads for staff work (services, staff screens): drafts included, never for public pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluations.models import Participation
from programs.errors import NotFound


def participation_get(*, participation_id: int) -> Participation:
    """A participation with its stage and team, or NotFound naming the id."""
    participation = (
        Participation.objects.select_related("stage", "team").filter(pk=participation_id).first()
    )
    if participation is None:
        raise NotFound(
            _("Participation %(participation_id)s does not exist."),
            field="participation",
            params={"participation_id": participation_id},
        )
    return participation
