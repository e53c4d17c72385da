"""Turning a service's `DomainError` into what a staff screen shows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse

from programs.errors import DomainError, NotFound


def add_domain_error(form: forms.Form, err: DomainError) -> None:
    """Show the error beside its field when the form has that field, else above the form."""
    field = err.field if err.field in form.fields else None
    form.add_error(field, err.message)


def not_found_on_domain_error(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A selector's `NotFound` becomes the ordinary 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return wrapper
