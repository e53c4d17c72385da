"""Review and decision: the proposed outcome, its robustness, the administrator's decisions.

Everyone on the staff may look; only an administrator sends a stage to review, returns it to
scoring or finalizes it. Finalizing records a decision per team: the proposal stands unless
the administrator overrides it (a reason is required), and a tie at the line or an unranked
team must be decided explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from evaluations.models import Outcome, ProposedOutcome
from evaluations.roles import Role
from evaluations.selectors_staff import ReviewRow, stage_get, stage_review_get
from evaluations.services.lifecycle import (
    DecisionInput,
    stage_finalize,
    stage_return_to_scoring,
    stage_submit_for_review,
)
from programs.errors import DomainError, http_status
from programs.models import Stage
from staff.access import ANY_STAFF, role_required
from staff.views.errors import not_found_on_domain_error

# The outcome that accepting each proposal records.
ACCEPTED = {
    ProposedOutcome.ADVANCED: Outcome.ADVANCED,
    ProposedOutcome.ELIMINATED: Outcome.ELIMINATED,
    ProposedOutcome.DISQUALIFIED: Outcome.DISQUALIFIED,
}


@dataclass
class DecisionRow:
    """A review row with what the administrator chose for it in the form."""

    row: ReviewRow
    outcome: str = ""
    reason_ko: str = ""
    reason_en: str = ""
    errors: list[str] = field(default_factory=list)


def _decision_rows(request: HttpRequest, rows: list[ReviewRow]) -> list[DecisionRow]:
    data = request.POST if request.method == "POST" else {}
    return [
        DecisionRow(
            row=row,
            outcome=data.get(f"outcome-{row.participation_id}", ""),
            reason_ko=data.get(f"reason_ko-{row.participation_id}", "").strip(),
            reason_en=data.get(f"reason_en-{row.participation_id}", "").strip(),
        )
        for row in rows
    ]


def _render(
    request: HttpRequest,
    stage: Stage,
    *,
    decision_rows: list[DecisionRow] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    review = stage_review_get(stage=stage)
    context = {
        "stage": stage,
        "tab": "review",
        "review": review,
        "decision_rows": decision_rows or _decision_rows(request, review.rows),
        "outcomes": Outcome.choices,
        "error": error,
        "is_admin": Role.ADMIN in request.staff_roles,  # type: ignore[attr-defined]
    }
    if request.headers.get("HX-Request") and request.GET.get("fragment") == "freshness":
        response = render(request, "staff/flow/_review_freshness.html", context)
        if not review.stale:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "staff/flow/review.html", context, status=status)


@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_review(request: HttpRequest, stage_id: int) -> HttpResponse:
    return _render(request, stage_get(stage_id=stage_id))


def _transition(request: HttpRequest, stage_id: int, service, done_message) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        service(stage_id=stage_id, user=request.user)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, done_message)
    return redirect("staff:stage_review", stage_id=stage_id)


@require_POST
@role_required(Role.ADMIN)
def stage_submit(request: HttpRequest, stage_id: int) -> HttpResponse:
    return _transition(request, stage_id, stage_submit_for_review, _("The stage is in review."))


@require_POST
@role_required(Role.ADMIN)
def stage_return(request: HttpRequest, stage_id: int) -> HttpResponse:
    return _transition(
        request, stage_id, stage_return_to_scoring, _("The stage is back in scoring.")
    )


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def stage_finalize_view(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Record the decisions: accepted proposals, overrides with their reasons."""
    stage = stage_get(stage_id=stage_id)
    review = stage_review_get(stage=stage)
    rows = _decision_rows(request, review.rows)
    decisions: dict[int, DecisionInput] = {}
    for entry in rows:
        proposed = entry.row.proposed_outcome
        if entry.outcome and entry.outcome not in Outcome.values:
            entry.errors.append(str(_("Choose an outcome from the list.")))
            continue
        if not entry.outcome:
            if entry.row.needs_decision:
                entry.errors.append(str(_("This team needs a decision: choose its outcome.")))
            continue
        overrides = ACCEPTED.get(proposed) != entry.outcome
        if overrides and not (entry.reason_ko or entry.reason_en):
            entry.errors.append(str(_("Give the reason for this decision (Korean or English).")))
            continue
        if overrides or entry.reason_ko or entry.reason_en:
            decisions[entry.row.participation_id] = DecisionInput(
                outcome=entry.outcome, reason_ko=entry.reason_ko, reason_en=entry.reason_en
            )
    if any(entry.errors for entry in rows):
        return _render(
            request,
            stage,
            decision_rows=rows,
            error=str(_("Nothing was finalized: see the teams marked below.")),
            status=400,
        )
    try:
        stage_finalize(stage_id=stage.pk, user=request.user, decisions=decisions)  # type: ignore[arg-type]
    except DomainError as err:
        return _render(
            request, stage, decision_rows=rows, error=err.message, status=http_status(err)
        )
    messages.success(
        request,
        _("The stage is finalized. Set the announcement time or publish it."),
    )
    return redirect("staff:stage_publication", stage_id=stage.pk)
