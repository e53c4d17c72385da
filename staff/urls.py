"""Staff screens under /staff/ (namespace `staff`).

One section per area; views live in `staff/views/<area>.py`. Every view is wrapped in
`staff.access.role_required` (or uses `RoleRequiredMixin`), except sign-in.
Import, review and decision, publication and correction, and history are in `urls_flow.py`.
"""

from django.urls import URLPattern, URLResolver, include, path

from staff.views import accounts, auth, confirmation, gates, home, roles, scores, setup, stages

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
    path("stages/<int:stage_id>/setup/", setup.stage_setup, name="stage_setup"),
    path("stages/<int:stage_id>/setup/weights/", setup.setup_weights, name="setup_weights"),
    path("stages/<int:stage_id>/setup/rule/", setup.setup_rule, name="setup_rule"),
    path("stages/<int:stage_id>/setup/open/", setup.setup_open, name="setup_open"),
    path("stages/<int:stage_id>/setup/criteria/", setup.criterion_add, name="criterion_add"),
    path(
        "stages/<int:stage_id>/setup/criteria/<int:criterion_id>/",
        setup.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "stages/<int:stage_id>/setup/criteria/<int:criterion_id>/remove/",
        setup.criterion_remove,
        name="criterion_remove",
    ),
    path("stages/<int:stage_id>/setup/gates/", setup.gate_add, name="gate_add"),
    path("stages/<int:stage_id>/setup/gates/<int:gate_id>/", setup.gate_edit, name="gate_edit"),
    path(
        "stages/<int:stage_id>/setup/gates/<int:gate_id>/remove/",
        setup.gate_remove,
        name="gate_remove",
    ),
    path("stages/<int:stage_id>/setup/teams/", setup.participation_add, name="participation_add"),
    path(
        "stages/<int:stage_id>/setup/teams/<int:participation_id>/",
        setup.participation_edit,
        name="participation_edit",
    ),
    path(
        "stages/<int:stage_id>/setup/teams/<int:participation_id>/remove/",
        setup.participation_remove,
        name="participation_remove",
    ),
    path("stages/<int:stage_id>/scores/", scores.stage_scores, name="stage_scores"),
    path("stages/<int:stage_id>/scores/cell/", scores.score_cell, name="score_cell"),
    path("stages/<int:stage_id>/scores/keep/", scores.mark_keep, name="mark_keep"),
    path(
        "stages/<int:stage_id>/scores/row/<int:participation_id>/",
        scores.score_row,
        name="score_row",
    ),
    path("stages/<int:stage_id>/standings/", scores.stage_standings, name="stage_standings"),
    path("stages/<int:stage_id>/confirm/", confirmation.stage_confirm, name="stage_confirm"),
    path("stages/<int:stage_id>/confirm/mark/", confirmation.mark_confirm, name="mark_confirm"),
    path(
        "stages/<int:stage_id>/confirm/send-back/",
        confirmation.mark_send_back,
        name="mark_send_back",
    ),
    path(
        "stages/<int:stage_id>/confirm/team/<int:participation_id>/",
        confirmation.team_confirm,
        name="team_confirm",
    ),
    path("stages/<int:stage_id>/gates/", gates.stage_gates, name="stage_gates"),
    path("stages/<int:stage_id>/gates/record/", gates.gate_record, name="gate_record"),
    path("stages/<int:stage_id>/gates/confirm/", gates.gate_confirm, name="gate_confirm"),
    # Import, review and decision, publication and correction, history.
    path("", include("staff.urls_flow")),
]
