"""Staff accounts (administrators only): list, create, change roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.roles import Role
from evaluations.services.accounts import staff_account_create, staff_role_set
from programs.errors import DomainError
from staff.access import role_label, role_required
from staff.forms import AccountCreateForm, AccountRolesForm
from staff.views.errors import add_domain_error

ROLE_NAMES = [role.value for role in Role]


def _staff_accounts() -> list:
    users = (
        get_user_model()
        .objects.prefetch_related("groups")
        .filter(is_staff=True)
        .order_by("username")
    )
    rows = []
    for user in users:
        names = {group.name for group in user.groups.all()}
        held = list(Role) if user.is_superuser else [r for r in Role if r.value in names]
        rows.append({"user": user, "roles": [role_label(r) for r in held]})
    return rows


@require_safe
@role_required(Role.ADMIN)
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/accounts/list.html", {"accounts": _staff_accounts()})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_account_create(actor=request.user, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request, _("Account %(username)s created.") % {"username": user.get_username()}
            )
            return redirect("staff:accounts")
    return render(request, "staff/accounts/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def account_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_user_model().objects.filter(pk=user_id, is_staff=True).first()
    if account is None:
        raise Http404
    current = [g.name for g in account.groups.all() if g.name in ROLE_NAMES]
    form = AccountRolesForm(
        request.POST or None, initial={"roles": current, "active": account.is_active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_role_set(
                actor=request.user,
                user_id=account.pk,
                roles=form.cleaned_data["roles"],
                active=form.cleaned_data["active"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request, _("Roles of %(username)s saved.") % {"username": account.get_username()}
            )
            return redirect("staff:accounts")
    return render(request, "staff/accounts/edit.html", {"form": form, "account": account})
