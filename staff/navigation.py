"""Where a stage goes next and who does it: the staff home's "next action" buttons.

Links to screens that another part of the staff app adds (import, review, publication) are
reversed leniently, so the home page keeps working while a screen is not there yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from evaluations.roles import Role
from evaluations.selectors_staff import StageProgress
from programs.models import Stage


@dataclass(frozen=True)
class Action:
    label: Any
    url: str
    who: Role  # the role whose turn it is


def _url(name: str, stage: Stage) -> str | None:
    try:
        return reverse(name, kwargs={"stage_id": stage.pk})
    except NoReverseMatch:
        return None


def next_action(progress: StageProgress, roles: frozenset[Role]) -> Action | None:
    """The one next step for the stage, if the signed-in person may take it."""
    stage = progress.stage
    status = stage.status
    candidates: list[tuple[Role, Any, str]] = []
    if status == Stage.Status.PLANNED:
        candidates.append((Role.ADMIN, _("Set up and open"), "staff:stage_setup"))
    elif status == Stage.Status.SCORING:
        if progress.marks_missing or progress.sent_back:
            candidates.append((Role.CLERK, _("Enter scores"), "staff:stage_scores"))
        if progress.gates_undecided:
            candidates.append((Role.CLERK, _("Record gate results"), "staff:stage_gates"))
        if progress.unconfirmed:
            candidates.append((Role.VERIFIER, _("Confirm entries"), "staff:stage_confirm"))
        if progress.ready_for_review:
            candidates.append((Role.ADMIN, _("Send to review"), "staff:stage_review"))
        candidates.append((Role.CLERK, _("Open the score grid"), "staff:stage_scores"))
        candidates.append((Role.ADMIN, _("Open the score grid"), "staff:stage_scores"))
    elif status == Stage.Status.REVIEW:
        candidates.append((Role.ADMIN, _("Review and decide"), "staff:stage_review"))
        candidates.append((Role.VERIFIER, _("Confirm entries"), "staff:stage_confirm"))
    elif status == Stage.Status.FINALIZED:
        candidates.append((Role.ADMIN, _("Set the announcement"), "staff:stage_publication"))
    elif status == Stage.Status.PUBLISHED:
        candidates.append((Role.ADMIN, _("Publish a correction"), "staff:stage_publication"))
    for role, label, name in candidates:
        if role in roles:
            url = _url(name, stage)
            if url is not None:
                return Action(label=label, url=url, who=role)
    return None
