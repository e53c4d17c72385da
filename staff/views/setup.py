"""Stage setup (planned stages): the criteria tree with maximum points and aggregation, gates,
the elimination rule, the teams taking part; an administrator enters the weights (stage 2's were
never published) and the rule, then opens the stage.

An administrator also adds, changes and removes criteria and gates and takes teams in or out,
each through its `evaluations.services.setup` service, which decides what is still allowed
(criteria and gates only while planned); the screen offers these forms only while planned. A
refused form comes back with the service's message beside the field it names; a removal asks
first on a page of its own (GET), and happens only on the POST from it. A team already taking part
is changed on its own page (the models it submitted, its own criteria, ranked, the note)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from evaluations.models import Participation
from evaluations.roles import Role
from evaluations.selectors_staff import (
    StageSetup,
    setup_item_exists,
    stage_get,
    stage_setup_view,
    team_ai_models,
    teams_outside_stage,
)
from evaluations.services.lifecycle import stage_open
from evaluations.services.setup import (
    criteria_max_points_update,
    criterion_create,
    criterion_delete,
    criterion_update,
    gate_create,
    gate_delete,
    gate_update,
    participation_create,
    participation_delete,
    participation_update,
    stage_rules_update,
)
from programs.errors import DomainError
from programs.models import Criterion, Gate, Stage
from programs.numbers import decimal_text
from staff.access import ANY_STAFF, role_required
from staff.forms import CriterionForm, GateForm, ParticipationEditForm, ParticipationForm
from staff.views.errors import add_domain_error, not_found_on_domain_error


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_setup(request: HttpRequest, stage_id: int) -> HttpResponse:
    return _setup_page(request, stage_get(stage_id=stage_id))


def _setup_page(
    request: HttpRequest, stage: Stage, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The setup screen; a refused "add" form comes back bound, its errors beside its fields."""
    setup = stage_setup_view(stage=stage)
    roles = request.staff_roles  # type: ignore[attr-defined]
    editable = stage.status == Stage.Status.PLANNED and Role.ADMIN in roles
    context: dict[str, Any] = {
        "stage": stage,
        "tab": "setup",
        "setup": setup,
        "editable": editable,
        "rules": Stage.Rule.choices,
    }
    if editable:
        context["criterion_form"] = CriterionForm(parents=_parent_choices(setup), prefix="new")
        context["gate_form"] = GateForm(prefix="gate")
        context["participation_form"] = _participation_form(stage, setup)
    # A refused form is shown even if the stage has meanwhile left planning: its message says why.
    context.update(bound)
    return render(request, "staff/setup.html", context, status=status)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_weights(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Save every maximum typed on the setup screen, all or nothing; a refusal is shown."""
    stage = stage_get(stage_id=stage_id)
    typed = {
        int(key[4:]): raw.strip()
        for key, raw in request.POST.items()
        if key.startswith("max:") and key[4:].isdigit() and raw.strip()
    }
    try:
        criteria_max_points_update(stage_id=stage.pk, user=request.user, max_points=typed)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Maximum points saved."))
    return redirect("staff:stage_setup", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_rule(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        count_raw = request.POST.get("rule_count", "").strip()
        threshold_raw = request.POST.get("rule_threshold", "").strip()
        try:
            count = int(count_raw) if count_raw else None
            threshold = Decimal(threshold_raw) if threshold_raw else None
        except (ValueError, InvalidOperation):
            raise DomainError(_("Enter the number of teams as a whole number.")) from None
        stage_rules_update(
            stage_id=stage.pk,
            user=request.user,
            elimination_rule=request.POST.get("elimination_rule", ""),
            rule_count=count,
            rule_threshold=threshold,
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Elimination rule saved."))
    return redirect("staff:stage_setup", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_open(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        stage_open(stage_id=stage.pk, user=request.user)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("staff:stage_setup", stage_id=stage.pk)
    messages.success(request, _("The stage is open: clerks can enter marks now."))
    return redirect("staff:stage_scores", stage_id=stage.pk)


# --- Criteria, gates and teams taking part (planned stages; the services refuse otherwise) ---


def _parent_choices(
    setup: StageSetup, *, exclude: Criterion | None = None
) -> list[tuple[int, str]]:
    """Criteria a criterion may sit under: not itself, nor one of its own sub-criteria."""
    choices, skip_below = [], None
    for criterion, depth, _leaf in setup.criteria:
        if skip_below is not None and depth > skip_below:
            continue  # a descendant of the excluded criterion
        skip_below = None
        if exclude is not None and criterion.pk == exclude.pk:
            skip_below = depth
            continue
        choices.append((criterion.pk, f"{'— ' * depth}{criterion.name} ({criterion.code})"))
    return choices


def _participation_form(stage: Stage, setup: StageSetup, data: Any = None) -> ParticipationForm:
    own = [(c.pk, f"{c.name} ({c.code})") for c, _depth, _leaf in setup.criteria if c.is_individual]
    teams = [(team.pk, team.name) for team in teams_outside_stage(stage=stage)]
    return ParticipationForm(data, teams=teams, own_criteria=own, prefix="join")


def _criterion_of(setup: StageSetup, criterion_id: int) -> tuple[Criterion, int]:
    """The stage's criterion and how many sub-criteria go with it; 404 for another stage's."""
    below, found = 0, None
    for criterion, depth, _leaf in setup.criteria:
        if found is not None:
            if depth <= found[1]:
                break
            below += 1
        elif criterion.pk == criterion_id:
            found = (criterion, depth)
    if found is None:
        raise Http404
    return found[0], below


def _gate_of(setup: StageSetup, gate_id: int) -> Gate:
    gate = next((g for g in setup.gates if g.pk == gate_id), None)
    if gate is None:
        raise Http404
    return gate


def _participation_of(setup: StageSetup, participation_id: int) -> Participation:
    found = next((p for p in setup.participations if p.pk == participation_id), None)
    if found is None:
        raise Http404
    return found


def _already_removed(
    request: HttpRequest,
    stage: Stage,
    model: type[Criterion | Gate | Participation],
    pk: int,
    message: str,
) -> HttpResponse:
    """The removal posted again (a second click, a reload) once the item is gone: say so rather
    than 404. An item that still exists elsewhere (another stage's) stays not found."""
    if request.method != "POST" or setup_item_exists(model=model, pk=pk):
        raise Http404
    messages.info(request, message)
    return redirect("staff:stage_setup", stage_id=stage.pk)


def _done(request: HttpRequest, stage: Stage, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("staff:stage_setup", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def criterion_add(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    setup = stage_setup_view(stage=stage)
    form = CriterionForm(request.POST, parents=_parent_choices(setup), prefix="new")
    if form.is_valid():
        try:
            criterion_create(stage_id=stage.pk, user=request.user, **form.service_values())
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(request, stage, _("Criterion added."))
    return _setup_page(request, stage, status=400, criterion_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def criterion_edit(request: HttpRequest, stage_id: int, criterion_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    setup = stage_setup_view(stage=stage)
    criterion, _below = _criterion_of(setup, criterion_id)
    parents = _parent_choices(setup, exclude=criterion)
    if request.method == "POST":
        form = CriterionForm(request.POST, parents=parents)
        if form.is_valid():
            try:
                criterion_update(
                    criterion_id=criterion.pk, user=request.user, **form.service_values()
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(request, stage, _("Criterion saved."))
    else:
        initial = {field: getattr(criterion, field) for field in CriterionForm.base_fields}
        initial["parent"] = criterion.parent_id
        for field in ("max_points", "target"):
            value = getattr(criterion, field)
            initial[field] = decimal_text(value) or ""  # "40.0", never normalize()'s "4E+1"
        form = CriterionForm(initial=initial, parents=parents)
    context = {
        "stage": stage,
        "tab": "setup",
        "form": form,
        "title": _("Change criterion “%(name)s”") % {"name": criterion.name},
    }
    return render(request, "staff/setup_edit.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def criterion_remove(request: HttpRequest, stage_id: int, criterion_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        criterion, below = _criterion_of(stage_setup_view(stage=stage), criterion_id)
    except Http404:
        gone = _("The criterion was already removed.")
        return _already_removed(request, stage, Criterion, criterion_id, gone)
    error = None
    if request.method == "POST":
        try:
            criterion_delete(criterion_id=criterion.pk, user=request.user)
        except DomainError as err:
            error = err.message
        else:
            return _done(request, stage, _("Criterion removed."))
    question = _("Remove the criterion “%(name)s” from this stage?") % {"name": criterion.name}
    if below:
        question += " " + _("Its %(count)s sub-criteria are removed with it.") % {"count": below}
    return _confirm_page(request, stage, question=question, error=error)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def gate_add(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    form = GateForm(request.POST, prefix="gate")
    if form.is_valid():
        try:
            gate_create(stage_id=stage.pk, user=request.user, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(request, stage, _("Gate added."))
    return _setup_page(request, stage, status=400, gate_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def gate_edit(request: HttpRequest, stage_id: int, gate_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    gate = _gate_of(stage_setup_view(stage=stage), gate_id)
    if request.method == "POST":
        form = GateForm(request.POST)
        if form.is_valid():
            try:
                gate_update(gate_id=gate.pk, user=request.user, **form.cleaned_data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(request, stage, _("Gate saved."))
    else:
        form = GateForm(initial={field: getattr(gate, field) for field in GateForm.base_fields})
    context = {
        "stage": stage,
        "tab": "setup",
        "form": form,
        "title": _("Change gate “%(name)s”") % {"name": gate.name},
    }
    return render(request, "staff/setup_edit.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def gate_remove(request: HttpRequest, stage_id: int, gate_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        gate = _gate_of(stage_setup_view(stage=stage), gate_id)
    except Http404:
        gone = _("The gate was already removed.")
        return _already_removed(request, stage, Gate, gate_id, gone)
    error = None
    if request.method == "POST":
        try:
            gate_delete(gate_id=gate.pk, user=request.user)
        except DomainError as err:
            error = err.message
        else:
            return _done(request, stage, _("Gate removed."))
    question = _("Remove the gate “%(name)s” from this stage?") % {"name": gate.name}
    return _confirm_page(request, stage, question=question, error=error)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def participation_add(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    form = _participation_form(stage, stage_setup_view(stage=stage), request.POST)
    if form.is_valid():
        try:
            participation_create(
                stage_id=stage.pk,
                team_id=form.cleaned_data["team"],
                user=request.user,
                individual_criterion_ids=form.cleaned_data.get("individual_criteria", ()),
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(request, stage, _("Team added to the stage."))
    return _setup_page(request, stage, status=400, participation_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def participation_remove(
    request: HttpRequest, stage_id: int, participation_id: int
) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        participation = _participation_of(stage_setup_view(stage=stage), participation_id)
    except Http404:
        gone = _("The team was already taken out of the stage.")
        return _already_removed(request, stage, Participation, participation_id, gone)
    error = None
    if request.method == "POST":
        try:
            participation_delete(participation_id=participation.pk, user=request.user)
        except DomainError as err:
            error = err.message
        else:
            return _done(request, stage, _("Team taken out of the stage."))
    question = _("Take %(team)s out of this stage?") % {"team": participation.team.name}
    return _confirm_page(request, stage, question=question, error=error)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.ADMIN)
@not_found_on_domain_error
def participation_edit(request: HttpRequest, stage_id: int, participation_id: int) -> HttpResponse:
    """A team's models submitted, own criteria, ranked and note; the service decides whether the
    stage still allows it (the setup screen links here only while the stage is planned)."""
    stage = stage_get(stage_id=stage_id)
    setup = stage_setup_view(stage=stage)
    participation = _participation_of(setup, participation_id)
    choices: dict[str, Any] = {
        "ai_models": [(m.pk, m.name) for m in team_ai_models(team_id=participation.team_id)],
        "own_criteria": [
            (c.pk, f"{c.name} ({c.code})") for c, _depth, _leaf in setup.criteria if c.is_individual
        ],
    }
    if request.method == "POST":
        form = ParticipationEditForm(request.POST, **choices)
        if form.is_valid():
            try:
                participation_update(
                    participation_id=participation.pk, user=request.user, **form.service_values()
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(request, stage, _("Team saved."))
    else:
        initial = {
            "ai_models": [m.pk for m in participation.ai_models.all()],
            "individual_criteria": [c.pk for c in participation.individual_criteria.all()],
            "ranked": participation.ranked,
            "note": participation.note,
        }
        form = ParticipationEditForm(initial=initial, **choices)
    context = {
        "stage": stage,
        "tab": "setup",
        "form": form,
        "title": _("Change %(team)s in this stage") % {"team": participation.team.name},
    }
    return render(request, "staff/setup_edit.html", context, status=400 if form.errors else 200)


def _confirm_page(
    request: HttpRequest, stage: Stage, *, question: str, error: str | None
) -> HttpResponse:
    """The confirm step of a removal (GET), or the service's refusal of it (POST)."""
    context = {"stage": stage, "tab": "setup", "question": question, "error": error}
    return render(request, "staff/setup_remove.html", context, status=400 if error else 200)
