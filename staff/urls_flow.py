"""Staff screens for import, review and decision, publication and correction, and history.

Included from `staff/urls.py` without a namespace of its own, so names here are reversed as
`staff:<name>`. The stage tabs (`staff/stage_base.html`) already link to `staff:stage_import`,
`staff:stage_review`, `staff:stage_publication` and `staff:stage_history` once they exist,
each taking `stage_id`.
"""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
