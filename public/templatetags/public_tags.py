"""Template helpers of the public pages: undisclosed numbers, language alternates, citations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from public import presenters

register = template.Library()


@register.filter
def points(value: object) -> SafeString:
    """A published number, or "not disclosed" (비공개) when the ministry did not publish it:
    never zero, never an empty cell."""
    if value is None or value == "":
        return format_html('<span class="nd">{}</span>', _("not disclosed"))
    return format_html("{}", value)


@register.filter
def pick(row: dict[str, Any], field_name: str) -> str:
    """`{{ row|pick:"reason" }}`: a payload entry's text in the page's language."""
    return presenters.localized(row, field_name)


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> list[dict[str, str]]:
    """The same page in each language: code, local name, path and absolute address."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": name,
            "path": translate_url(path, code),
            "url": request.build_absolute_uri(translate_url(path, code)),
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def absolute(context: template.Context, path: str) -> str:
    request: HttpRequest | None = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.filter
def plain(value: Decimal | None) -> str:
    """236.00 → "236", 102.60 → "102.6": a decimal without trailing zeros or exponent."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


@register.filter
def loc(obj: object, field_name: str) -> str:
    """A field's Korean or English variant for objects without `localized()` (models)."""
    return presenters.localized(
        {
            f"{field_name}_ko": getattr(obj, f"{field_name}_ko", ""),
            f"{field_name}_en": getattr(obj, f"{field_name}_en", ""),
        },
        field_name,
    )
