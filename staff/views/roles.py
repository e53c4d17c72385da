"""The roles page: what an administrator, a clerk and a verifier can and cannot do."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from staff.access import ANY_STAFF, role_required


@require_safe
@role_required(*ANY_STAFF)
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/roles.html")
