"""Importing marks from a spreadsheet: template, upload, preview, apply, progress, retry.

The rules live in `evaluations.services.imports`; these views only upload, show and ask.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.models import ScoreImport
from evaluations.roles import Role
from evaluations.selectors_staff import stage_get
from evaluations.services import imports
from programs.errors import DomainError
from staff.access import role_required
from staff.views.errors import add_domain_error, not_found_on_domain_error

IMPORT_ROLES = (Role.CLERK, Role.ADMIN)
# Statuses a person waits on: the page polls the status fragment until they change.
WAITING = (ScoreImport.Status.RECEIVED, ScoreImport.Status.QUEUED)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("CSV in UTF-8 (with or without BOM) or CP949/EUC-KR, as Excel saves it."),
    )


def _import_for(stage_id: int, import_id: int) -> ScoreImport:
    return get_object_or_404(
        ScoreImport.objects.select_related("stage", "uploaded_by", "applied_by"),
        pk=import_id,
        stage_id=stage_id,
    )


@role_required(*IMPORT_ROLES)
@not_found_on_domain_error
def stage_import(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The upload form, the template downloads and the stage's recent imports."""
    stage = stage_get(stage_id=stage_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            # Refused before reading it into memory.
            too_large = {"size": upload.size, "limit": imports.MAX_BYTES}
            form.add_error(
                "file", imports.problem_message({"code": "too_large", "params": too_large})
            )
        else:
            try:
                score_import = imports.score_import_receive(
                    stage_id=stage.pk,
                    user=request.user,  # type: ignore[arg-type]
                    filename=upload.name or "upload",
                    content=upload.read(),
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return redirect("staff:import_detail", stage_id=stage.pk, import_id=score_import.pk)
    recent = ScoreImport.objects.filter(stage=stage).select_related("uploaded_by")[:20]
    context = {"stage": stage, "tab": "import", "form": form, "recent": recent}
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/flow/import.html", context, status=status)


@require_safe
@role_required(*IMPORT_ROLES)
@not_found_on_domain_error
def import_template(request: HttpRequest, stage_id: int, kind: str) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    name = f"{stage.slug}-scores"
    if kind == "xlsx":
        response = HttpResponse(
            imports.template_xlsx(stage=stage),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(imports.template_csv(stage=stage), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _detail_context(score_import: ScoreImport) -> dict[str, object]:
    done, total = imports.import_progress(score_import)
    problems = [
        {
            "row": problem.get("row"),
            "column": imports.problem_column(problem),
            "message": imports.problem_message(problem),
        }
        for problem in score_import.problems
    ]
    return {
        "stage": score_import.stage,
        "tab": "import",
        "imp": score_import,
        "problems": problems,
        "error": imports.error_message(score_import.error),
        "waiting": score_import.status in WAITING,
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
        "changes": imports.plan_preview(score_import),
    }


@require_safe
@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, stage_id: int, import_id: int) -> HttpResponse:
    """The preview: every problem by row and column, or what applying will change."""
    score_import = _import_for(stage_id, import_id)
    return render(request, "staff/flow/import_detail.html", _detail_context(score_import))


@require_safe
@role_required(*IMPORT_ROLES)
def import_status(request: HttpRequest, stage_id: int, import_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once the job is done it asks for a full reload."""
    score_import = _import_for(stage_id, import_id)
    context = _detail_context(score_import)
    response = render(request, "staff/flow/_import_status.html", context)
    if request.headers.get("HX-Request") and not context["waiting"]:
        # The preview or the result below the bar changes too: reload the whole page.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(*IMPORT_ROLES)
def import_apply(request: HttpRequest, stage_id: int, import_id: int) -> HttpResponse:
    score_import = _import_for(stage_id, import_id)
    try:
        score_import = imports.score_import_apply(
            import_id=score_import.pk,
            user=request.user,  # type: ignore[arg-type]
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        if score_import.status == ScoreImport.Status.APPLIED:
            messages.success(request, _("The import was applied: every row was saved."))
        elif score_import.status == ScoreImport.Status.FAILED:
            messages.error(request, imports.error_message(score_import.error))
    return redirect("staff:import_detail", stage_id=stage_id, import_id=score_import.pk)


@require_POST
@role_required(*IMPORT_ROLES)
def import_recheck(request: HttpRequest, stage_id: int, import_id: int) -> HttpResponse:
    """Check the file again against the current scores (after a failure or a fix)."""
    score_import = _import_for(stage_id, import_id)
    try:
        imports.score_import_recheck(import_id=score_import.pk, user=request.user)  # type: ignore[arg-type]
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("staff:import_detail", stage_id=stage_id, import_id=score_import.pk)
