"""Friendly error pages in the visitor's language.

They never query the database (the 500 page may be shown because the database is down) and say
nothing about what was asked for beyond the address itself, so an error never hints at an
unpublished result.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    body = loader.render_to_string(
        "public/404.html", {"request": request, "error_page": True}, request=None
    )
    return HttpResponseNotFound(body)


def server_error(request: HttpRequest) -> HttpResponse:
    body = loader.render_to_string("public/500.html", {"request": request}, request=None)
    return HttpResponseServerError(body)
