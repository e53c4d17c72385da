"""History of the program record: who changed what, when, from which value to which, and why.

Every model whose changes matter to the record (stages, criteria, gates, teams, participations,
scores, gate results, decisions, publications) carries `TrackedHistory()`, django-simple-history's
`HistoricalRecords` with one addition: the acting person and the reason can be set once for a
whole service call with `history_actor(user=…, reason=…)`, so every row the service writes (and
every row a cascade deletes) is attributed to the person who asked for it, whether the call came
from a staff screen, the admin, the API or a background task. Outside a service call, the
request's user (set by simple-history's middleware) is used, as in any simple-history project.

Writes done with `QuerySet.update()` (compare-and-set on a version or a status) send no signals;
they call `history_record_update()` after a successful update, which re-reads the rows and adds
one "changed" record each, attributed like any other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import models
from simple_history.models import HistoricalRecords


@dataclass(frozen=True, slots=True)
class _Actor:
    user: Any
    reason: str


_actor: ContextVar[_Actor | None] = ContextVar("history_actor", default=None)


@contextmanager
def history_actor(*, user: Any, reason: str = "") -> Iterator[None]:
    """Attribute every history record written inside the block to `user`, with `reason`.

    Nested blocks: the innermost wins, and the outer one is restored on leaving.
    """
    token = _actor.set(_Actor(user=user if _is_person(user) else None, reason=reason.strip()))
    try:
        yield
    finally:
        _actor.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def records_history(
    *reason_kwargs: str,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a service so that its history names the `user` it was called with.

    `reason_kwargs` name the keyword arguments that carry the person's reason (e.g.
    ``"reason_ko", "reason_en"``); the non-empty ones become the records' change reason.
    """

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            reasons = [str(kwargs.get(name) or "").strip() for name in reason_kwargs]
            reason = " / ".join(dict.fromkeys(r for r in reasons if r))
            with history_actor(user=kwargs.get("user"), reason=reason):
                return service(*args, **kwargs)

        return wrapper

    return decorate


def _is_person(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.pk is not None


def current_actor_user() -> Any:
    actor = _actor.get()
    return actor.user if actor is not None else None


def current_reason() -> str:
    actor = _actor.get()
    return actor.reason if actor is not None else ""


def _get_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    actor = _actor.get()
    if actor is not None:
        return actor.user
    if request is not None and _is_person(getattr(request, "user", None)):
        return request.user
    return None


class TrackedHistory(HistoricalRecords):
    """`HistoricalRecords` that reads the acting person and reason from `history_actor`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("get_user", _get_user)
        super().__init__(**kwargs)

    def get_change_reason_for_object(self, instance: Any, history_type: str, using: Any) -> Any:
        explicit = super().get_change_reason_for_object(instance, history_type, using)
        return explicit if explicit else (current_reason() or None)


def history_record_update(model: type[models.Model], pks: Iterable[Any]) -> None:
    """Add a "changed" record for rows just written with `QuerySet.update()`.

    Call it right after a successful compare-and-set, in the same transaction: the rows are
    re-read, so the record holds the values the update wrote.
    """
    pks = list(pks)
    if not pks:
        return
    rows = list(model._default_manager.filter(pk__in=pks))
    model.history.bulk_history_create(  # type: ignore[attr-defined]
        rows,
        update=True,
        default_user=current_actor_user() or _get_user(request=_request()),
        default_change_reason=current_reason() or None,
    )


def _request() -> Any:
    return getattr(HistoricalRecords.context, "request", None)
