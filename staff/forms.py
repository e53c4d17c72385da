"""Staff forms: input checks only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.roles import Role
from programs.models import Criterion
from staff.access import ROLE_LABELS

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Tell it to the person; they should change it after signing in."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class AccountRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    active = forms.BooleanField(label=_("May sign in"), required=False)


# --- Stage setup: criteria, gates, teams taking part ------------------------------------------
# The services parse the points and decide every rule (planned stage, unique code, marks already
# entered); these forms only collect the input and carry the services' errors beside the field.


class CriterionForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short Latin letters, digits and hyphens, unique in the stage."),
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    parent = forms.TypedChoiceField(label=_("Under"), coerce=int, empty_value=None, required=False)
    aggregation = forms.ChoiceField(
        label=_("How marks count"),
        choices=Criterion.Aggregation.choices,
        initial=Criterion.Aggregation.DIRECT,
    )
    max_points = forms.CharField(
        label=_("Maximum points"),
        required=False,
        help_text=_("Leave empty while the ministry has not disclosed the weight."),
    )
    target = forms.CharField(
        label=_("Normalisation target"),
        required=False,
        help_text=_("Only for marks entered as achieved scores: points = max × achieved ÷ target."),
    )
    is_individual = forms.BooleanField(
        label=_("Each team’s own criterion (applies only to the teams that list it)"),
        required=False,
    )
    order = forms.IntegerField(label=_("Display order"), min_value=0, max_value=32767, initial=0)
    description_ko = forms.CharField(
        label=_("Description (Korean)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, parents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— top level —")), *parents]  # type: ignore[attr-defined]

    def service_values(self) -> dict[str, Any]:
        """The cleaned input as the criterion services' keyword arguments."""
        data = dict(self.cleaned_data)
        data["parent_id"] = data.pop("parent")
        for field in ("max_points", "target"):
            data[field] = data[field].strip() or None  # empty: not disclosed / not normalised
        return data


class GateForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short Latin letters, digits and hyphens, unique in the stage."),
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description_ko = forms.CharField(
        label=_("Description (Korean)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ParticipationForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    individual_criteria = forms.TypedMultipleChoiceField(
        label=_("Its own criteria"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        teams: list[tuple[int, str]],
        own_criteria: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]
        self.fields["individual_criteria"].choices = own_criteria  # type: ignore[attr-defined]
        if not own_criteria:
            del self.fields["individual_criteria"]


class _ServiceCheckedChoices(forms.TypedMultipleChoiceField):
    """Checkboxes whose ids the service checks (a team's own models, the stage's own criteria), so
    a refusal reads the same here as anywhere else and shows beside this field."""

    def valid_value(self, value: Any) -> bool:
        return True


class ParticipationEditForm(forms.Form):
    ai_models = _ServiceCheckedChoices(
        label=_("Models submitted"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    individual_criteria = _ServiceCheckedChoices(
        label=_("Its own criteria"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ranked = forms.BooleanField(
        label=_("Ranked"),
        required=False,
        help_text=_("Off for a team that joined after scoring began."),
    )
    note = forms.CharField(label=_("Note on the team"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        ai_models: list[tuple[int, str]],
        own_criteria: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ai_models"].choices = ai_models  # type: ignore[attr-defined]
        self.fields["individual_criteria"].choices = own_criteria  # type: ignore[attr-defined]
        if not own_criteria:
            # Not sent, so the service leaves the team's own criteria as they are.
            del self.fields["individual_criteria"]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {"ai_model_ids": data["ai_models"], "ranked": data["ranked"], "note": data["note"]}
        if "individual_criteria" in data:
            values["individual_criterion_ids"] = data["individual_criteria"]
        return values
