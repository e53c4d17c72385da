"""The permission matrix: every URL of the site × every method × every kind of person.

The URLs come from the URL configuration itself, so a new URL cannot be forgotten: each must
fall under one of the policies below (a staff screen declares its roles with
`staff.access.role_required`, which this test reads), or the test fails naming it.

The five kinds of person: anonymous, a signed-in account with no staff role, clerk, verifier and
administrator. The expected answers, by part of the site:

- public pages, feeds, sitemap, health check: everyone may read (GET/HEAD); other methods are
  refused with 405 (or 403 where CSRF stops them first), never a 5xx;
- staff screens: anonymous → the sign-in page and back; without a listed role → 403; with one →
  let through (any answer but a refusal, never a 5xx); the sign-in page is open to all;
- the Django admin: anonymous and accounts that are not staff → the admin sign-in; an
  administrator → let through;
- the API: public reads are open to everyone; staff endpoints answer anonymous with 401, an
  account without a role with 403, and let staff roles through (the services then decide per
  action: a verifier cannot write a score, which is a 403 from the service, also checked here).

Each request runs in a savepoint that is rolled back, so a POST that an allowed person makes
(e.g. "publish now") never changes what the next request sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from evaluations.roles import Role
from tests.factories import UserFactory, staff_user_create

PEOPLE = ("anonymous", "norole", "clerk", "verifier", "admin")
METHODS = ("get", "post", "put", "patch", "delete")
ROLE_OF = {"clerk": Role.CLERK, "verifier": Role.VERIFIER, "admin": Role.ADMIN}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full regex, e.g. ^staff/stages/(?P<stage_id>[0-9]+)/$
    name: str
    callback: Any

    @property
    def area(self) -> str:
        bare = self.pattern.lstrip("^")
        for prefix, area in (
            ("admin/", "admin"),
            ("staff/", "staff"),
            ("api/", "api"),
            ("i18n/", "i18n"),
        ):
            if bare.startswith(prefix):
                return area
        return "public"


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        regex = entry.pattern.regex.pattern
        # LocalePrefixPattern (the /en/ of i18n_patterns) has no regex of its own here.
        part = regex.lstrip("^").rstrip("$").removesuffix(r"\Z") if regex else ""
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + part)
        else:
            yield Route(
                pattern="^" + prefix + part + "$",
                name=entry.name or entry.lookup_str,
                callback=entry.callback,
            )


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.pattern)


# --- filling in URL parameters ---------------------------------------------------------------


@pytest.fixture(scope="module")
def record(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The shipped record, loaded once for the module; each test's changes are rolled back."""
    from evaluations.models import Participation, Publication, Score
    from programs.models import Criterion, Stage
    from teams.models import AIModel, Organization, Team

    with django_db_blocker.unblock():
        call_command("load_program", stdout=StringIO())
        stage = Stage.objects.get(slug="stage-1")
        participation = Participation.objects.filter(stage=stage).first()
        values = {
            "stage_id": str(stage.pk),
            "slug": "stage-1",
            "stage_slug": "stage-1",
            "team_slug": Team.objects.order_by("pk").first().slug,
            "model_slug": AIModel.objects.order_by("pk").first().slug,
            "participation_id": str(participation.pk),
            "criterion_id": str(Criterion.objects.filter(stage=stage).first().pk),
            "score_id": str(Score.objects.order_by("pk").first().pk),
            "publication_id": str(Publication.objects.order_by("pk").first().pk),
            "organization_slug": Organization.objects.order_by("pk").first().slug,
            "object_id": "1",
            "pk": "1",
            "user_id": "1",
        }
    yield values
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


def url_for(route: Route, values: dict[str, str]) -> str:
    """A concrete address for the route, with every parameter filled from the record."""
    path = route.pattern.removeprefix("^").removesuffix("$")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        for key in (name, name.removesuffix("_pk")):
            if key in values:
                return values[key]
        return values["object_id"] if name.endswith(("id", "pk")) else "x"

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, path)
    # What is left of regex syntax in admin and router patterns.
    path = path.replace(r"\.", ".").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    path = re.sub(r"\.\(\?P<format>[a-z0-9]+\)/?", "", path)
    return "/" + path.lstrip("/")


def client_for(person: str) -> tuple[Client, Any]:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    if person == "anonymous":
        return client, None
    if person == "norole":
        user = UserFactory(username="matrix-norole")
    else:
        user = staff_user_create(f"matrix-{person}", ROLE_OF[person])
    client.force_login(user)
    # Staff tools reach the API with a token (the browser session is not an API credential).
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client, user


# A model's list page: its permissions decide (object pages first look the object up).
ADMIN_MODEL = re.compile(r"^\^admin/(\w+)/(\w+)/\$$")


def admin_may_view(route: Route, user: Any) -> bool | None:
    """Whether the user's model permissions open this admin page; None for pages of no model."""
    match = ADMIN_MODEL.match(route.pattern)
    if match is None:
        return None
    app_label, model = match.groups()
    try:
        apps.get_model(app_label, model)
    except LookupError:  # e.g. admin/password_change/done/: no model
        return None
    return any(user.has_perm(f"{app_label}.{action}_{model}") for action in ("view", "change"))


# --- what each part of the site must answer --------------------------------------------------

SIGN_IN, FORBIDDEN, ALLOWED, NOT_ALLOWED = "sign_in", "forbidden", "allowed", "not_allowed"


def staff_roles_of(route: Route) -> tuple[Role, ...] | None:
    callback = route.callback
    roles = getattr(callback, "staff_roles", None)
    if roles is None and hasattr(callback, "view_class"):
        roles = getattr(callback.view_class, "roles", None)
    return tuple(roles) if roles is not None else None


OPEN_STAFF_NAMES = {"login", "logout"}  # signing in and out
# A person's own password: any signed-in account, with or without a role.
SIGNED_IN_STAFF_NAMES = {"password_change", "password_change_done"}


CATCH_ALL = "catch_all"


def expectation(route: Route, method: str, person: str) -> str:
    area = route.area
    if route.pattern.endswith(".*$"):
        return CATCH_ALL
    if area in ("public", "i18n"):
        if area == "i18n":
            return ALLOWED  # the language switch answers every method with a redirect
        return ALLOWED if method == "get" else NOT_ALLOWED
    if area == "staff":
        if route.name in OPEN_STAFF_NAMES:
            return ALLOWED
        if route.name in SIGNED_IN_STAFF_NAMES:
            return SIGN_IN if person == "anonymous" else ALLOWED
        roles = staff_roles_of(route)
        assert roles is not None, (
            f"Staff URL {route.pattern} ({route.name}) declares no roles: wrap its view in "
            "staff.access.role_required or use RoleRequiredMixin."
        )
        if person == "anonymous":
            return SIGN_IN
        if person == "norole" or ROLE_OF[person] not in roles:
            return FORBIDDEN
        return ALLOWED
    if area == "admin":
        if route.name in ("login", "logout", "admin:login", "admin:logout"):
            return ALLOWED
        # Staff roles give admin access (is_staff); an account without a role has none.
        return SIGN_IN if person in ("anonymous", "norole") else ALLOWED
    if area == "api":
        if "/staff/" in route.pattern or route.pattern.startswith("^api/v1/staff"):
            if person == "anonymous":
                return SIGN_IN
            if person == "norole":
                return FORBIDDEN
            return ALLOWED
        return ALLOWED if method == "get" else NOT_ALLOWED
    raise AssertionError(f"No policy for {route.pattern}")


def check(
    response: Any, expected: str, *, route: Route, method: str, person: str, user: Any
) -> bool:
    """Assert the answer; False when it was a 405 that says nothing about the person."""
    status = response.status_code
    where = f"{method.upper()} {route.pattern} as {person}: {status}"
    assert status < 500, where
    if status == 405 and route.area in ("staff", "api") and expected != CATCH_ALL:
        # A method the view does not take is refused to everyone alike, before any role check.
        return False
    location = response.get("Location", "")
    if expected == CATCH_ALL:
        assert status == 404, where
    elif expected == SIGN_IN:
        if route.area == "api":
            assert status == 401, where
        elif route.area == "admin":
            assert status == 302 and "/admin/login/" in location, where
        else:
            assert status == 302 and location.startswith("/staff/sign-in/"), where
    elif expected == FORBIDDEN:
        assert status == 403, where
    elif expected == NOT_ALLOWED:
        # 405 from the view; a POST without a CSRF token may be stopped earlier with 403.
        assert status in (405, 403), where
    else:
        assert status not in (401,), where
        if route.name != "logout":  # signing out ends on the sign-in page, for everyone
            assert not location.startswith(("/staff/sign-in/", "/admin/login/")), where
        if route.area == "admin":
            # The admin opens each model to the roles whose groups hold its permissions.
            may_view = admin_may_view(route, user)
            if method == "get" and may_view is not None:
                assert (status == 403) == (not may_view), where
        elif route.area != "api" or "/staff/" not in route.pattern:
            assert status != 403 or method != "get", where
    return True


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.pattern)
def test_every_url_answers_every_person_as_its_policy_says(route: Route, record, db) -> None:
    url = url_for(route, record)
    clients = {person: client_for(person) for person in PEOPLE}
    methods = ("get", "post") if route.area == "admin" else METHODS
    for person, (client, user) in clients.items():
        telling = 0
        for method in methods:
            expected = expectation(route, method, person)
            with transaction.atomic():
                response = getattr(client, method)(url)
                telling += check(
                    response, expected, route=route, method=method, person=person, user=user
                )
                transaction.set_rollback(True)
        assert telling, f"{route.pattern} refused every method to {person} with 405"


def test_the_matrix_covers_every_part_of_the_site() -> None:
    areas = {route.area for route in ROUTES}

    assert {"public", "staff", "admin", "api"} <= areas
    assert len(ROUTES) > 50
