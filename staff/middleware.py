"""Staff screens follow the language the person chose, although their URLs carry no prefix.

The public pages use `i18n_patterns` with Korean unprefixed, and Django's `LocaleMiddleware`
then forces Korean on every unprefixed path, /staff/ included. Staff URLs stay the same in
both languages (a bookmark or a link from a colleague works for everyone), so for them the
language comes from the language cookie set by the switch in the frame, then the browser's
Accept-Language, then Korean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class StaffLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        match = request.resolver_match
        if match is not None and match.namespace == "staff":
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
