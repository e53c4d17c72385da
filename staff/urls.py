"""Staff screens under /staff/ (namespace `staff`).

One section per area; views live in `staff/views/<area>.py`. Every view is wrapped in
`staff.access.role_required` (or uses `RoleRequiredMixin`), except sign-in.
Import, review and decision, publication and correction, and history are in `urls_flow.py`.
"""

from django.urls import URLPattern, URLResolver, include, path

from staff.views import accounts, auth, home, roles, stages

app_name = "staff"

urlpatterns: list[URLPattern | URLResolver] = [
    # Signing in and out, own password.
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Who may do what; accounts (administrators only).
    path("roles/", roles.roles, name="roles"),
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/<int:user_id>/", accounts.account_edit, name="account_edit"),
    # Stages: overview, then one stage's screens (the tabs of staff/stage_base.html).
    path("", home.home, name="home"),
    path("stages/<int:stage_id>/", stages.stage_detail, name="stage"),
    # Import, review and decision, publication and correction, history.
    path("", include("staff.urls_flow")),
]
