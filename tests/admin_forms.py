"""Build the POST data an admin change page would send, from the page as it was served.

Tests then change the few values a person would change and post the rest as they were, inline
formsets included, the way a browser submits the form.
"""

from __future__ import annotations

from typing import Any

from django.forms.widgets import SplitDateTimeWidget


def changeform_data(response: Any) -> dict[str, Any]:
    """Every field of the served change form and its inlines, as the browser would post it."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if isinstance(bound.field.widget, SplitDateTimeWidget):
                day, time = bound.field.widget.decompress(value)
                data[f"{bound.html_name}_0"] = day or ""
                data[f"{bound.html_name}_1"] = time or ""
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else value
    return data


def inline_prefix(data: dict[str, Any], prefix: str, field: str, value: Any) -> str:
    """The form prefix (e.g. ``criteria-2``) of the inline row whose `field` equals `value`."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for index in range(total):
        if str(data.get(f"{prefix}-{index}-{field}")) == str(value):
            return f"{prefix}-{index}"
    raise LookupError(f"no {prefix} row with {field}={value!r}")
