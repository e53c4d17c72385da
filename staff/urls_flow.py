"""Staff screens for import, review and decision, publication and correction, and history.

Included from `staff/urls.py` without a namespace of its own, so names here are reversed as
`staff:<name>`. The stage tabs (`staff/stage_base.html`) link to `staff:stage_import`,
`staff:stage_review`, `staff:stage_publication` and `staff:stage_history`, each taking
`stage_id`.
"""

from django.urls import URLPattern, URLResolver, path

from staff.views import history, imports, publication, review

stage = "stages/<int:stage_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # Import: template, upload, preview, apply, progress, retry.
    path(f"{stage}import/", imports.stage_import, name="stage_import"),
    path(
        f"{stage}import/template.xlsx",
        imports.import_template,
        {"kind": "xlsx"},
        name="import_template_xlsx",
    ),
    path(
        f"{stage}import/template.csv",
        imports.import_template,
        {"kind": "csv"},
        name="import_template_csv",
    ),
    path(f"{stage}import/<int:import_id>/", imports.import_detail, name="import_detail"),
    path(f"{stage}import/<int:import_id>/status/", imports.import_status, name="import_status"),
    path(f"{stage}import/<int:import_id>/apply/", imports.import_apply, name="import_apply"),
    path(f"{stage}import/<int:import_id>/recheck/", imports.import_recheck, name="import_recheck"),
    # Review and decision.
    path(f"{stage}review/", review.stage_review, name="stage_review"),
    path(f"{stage}review/submit/", review.stage_submit, name="stage_submit"),
    path(f"{stage}review/return/", review.stage_return, name="stage_return"),
    path(f"{stage}review/finalize/", review.stage_finalize_view, name="stage_finalize"),
    # Publication and correction.
    path(f"{stage}publication/", publication.stage_publication, name="stage_publication"),
    path(f"{stage}publication/schedule/", publication.schedule, name="publication_schedule"),
    path(f"{stage}publication/publish/", publication.publish_now, name="publication_publish"),
    path(f"{stage}publication/decision/", publication.decision, name="publication_decision"),
    path(f"{stage}publication/correct/", publication.correct, name="publication_correct"),
    # History: the whole stage, and one score or gate result.
    path(f"{stage}history/", history.stage_history_view, name="stage_history"),
    path(
        f"{stage}history/<str:kind>/<int:entry_id>/",
        history.entry_history_view,
        name="entry_history",
    ),
]
