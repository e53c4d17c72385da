"""History: who changed what in a stage, when, from what to what, and why.

Reads come from `evaluations.selectors_history` (django-simple-history underneath). Every
staff role may read the history of the stages it works on; nothing here is public.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from evaluations.models import GateResult, Score
from evaluations.selectors_history import gate_result_history, score_history, stage_history
from evaluations.selectors_staff import stage_get
from staff.access import ANY_STAFF, role_required
from staff.views.errors import not_found_on_domain_error

PAGE_SIZE = 200
KIND_LABELS = {
    "stage": _("Stage"),
    "criterion": _("Criterion"),
    "gate": _("Gate"),
    "participation": _("Team taking part"),
    "score": _("Score"),
    "gate_result": _("Gate result"),
    "decision": _("Decision"),
    "publication": _("Publication"),
    "team": _("Team status"),
}
ACTION_LABELS = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_history_view(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    kind = request.GET.get("kind", "")
    entries = stage_history(stage_id=stage.pk)
    if kind in KIND_LABELS:
        entries = [entry for entry in entries if entry.kind == kind]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "stage": stage,
        "tab": "history",
        "page": page,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "kind_labels": KIND_LABELS,
        "action_labels": ACTION_LABELS,
    }
    return render(request, "staff/flow/history.html", context)


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def entry_history_view(
    request: HttpRequest, stage_id: int, kind: str, entry_id: int
) -> HttpResponse:
    """One score's or gate result's history, deleted ones included."""
    stage = stage_get(stage_id=stage_id)
    if kind == "score":
        entries = score_history(score_id=entry_id)
        live = Score.objects.filter(pk=entry_id).select_related("participation").first()
    elif kind == "gate-result":
        entries = gate_result_history(gate_result_id=entry_id)
        live = GateResult.objects.filter(pk=entry_id).select_related("participation").first()
    else:
        raise Http404
    if live is not None and live.participation.stage_id != stage.pk:
        raise Http404
    if not entries:
        raise Http404
    context = {
        "stage": stage,
        "tab": "history",
        "entries": entries,
        "subject": entries[0].subject,
        "kind_labels": KIND_LABELS,
        "action_labels": ACTION_LABELS,
    }
    return render(request, "staff/flow/entry_history.html", context)
