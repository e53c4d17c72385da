"""Signing in and out and changing one's own password: Django's auth views in staff dress.

Repeated failed sign-ins are throttled by django-axes (settings `AXES_*`); the sign-in form
shows the lockout message itself rather than a bare error page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class SignInView(auth_views.LoginView):
    template_name = "staff/auth/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return str(reverse_lazy("staff:home"))


class SignOutView(auth_views.LogoutView):
    # Signing out is a POST (Django 5): a link or a prefetch cannot sign anyone out.
    next_page = reverse_lazy("staff:login")

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "staff/auth/password_change.html"
    success_url = reverse_lazy("staff:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "staff/auth/password_change_done.html"


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes' answer once the failure limit is reached: the sign-in page, saying why."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-ins for this username from this address. Try again in "
        "%(minutes)s minutes, or ask an administrator to unlock the account."
    ) % {"minutes": minutes}
    form = AuthenticationForm(request, data=None)
    context = {"form": form, "locked_out": message, "next": request.POST.get("next", "")}
    return render(request, "staff/auth/sign_in.html", context, status=429)
