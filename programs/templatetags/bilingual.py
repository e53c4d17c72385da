"""`{{ obj|localized:"name" }}`: a field's Korean or English variant for the active language."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> str:
    """Call the model's `localized()` (see `programs.models.BilingualMixin`); '' for None."""
    if obj is None:
        return ""
    return obj.localized(field)  # type: ignore[attr-defined]
