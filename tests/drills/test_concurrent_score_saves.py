"""Drill: two people save the same mark at the same moment, round after round (issue 10).

Three pairs race: two clerks in two browsers on the score grid, two API clients, and a clerk in
the browser against an API client. Every round both start from the mark's current version and
send different values at once; the API side waits on a `threading.Barrier` that the other side
releases just as it fires its own save. Whichever the server serialises first, the round must
end the same way: exactly one save is accepted, the other person is told the value that won,
the stored mark is the winner's, its history gained exactly the winning write, and its version
went up by exactly one. No lost update, whatever the interleaving.

`CONCURRENCY_DRILL_ROUNDS` (default 100) sets the rounds of each drill; raise it locally to
hunt for rarer interleavings.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connections
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from evaluations.models import Score
from evaluations.services.scores import score_save
from programs.errors import ConflictError
from tests.builders import build_stage
from tests.integration.postgres import backends_waiting_for_lock
from tests.integration.worker import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROUNDS = int(os.environ.get("CONCURRENCY_DRILL_ROUNDS") or 100)
PASSWORD = "correct-horse-battery-staple-7"
# Generous: a round takes tens of milliseconds; these only bound a hung request or browser.
WAIT_S = 15.0
WAIT_MS = int(WAIT_S * 1000)
# Enough for Playwright to ask both browsers to leave their cell before the moment comes.
LEAD_S = 0.025
KEEP_THEIRS = "상대 값 유지"  # the conflict's "Keep theirs" button, as a Korean clerk sees it
ERROR_SHAPE = {"code", "field", "message", "params", "errors"}


# --- the contested mark ---------------------------------------------------------------------


@dataclass
class Mark:
    """Team alpha's "common" points (direct, at most 20) on a stage in scoring, entered once."""

    score_id: int
    stage_id: int
    participation_id: int
    criterion_id: int
    users: dict[str, User]

    def current(self) -> Score:
        return Score.objects.get(pk=self.score_id)

    def history(self) -> list[tuple[Decimal | None, int, int | None]]:
        """(value, version, who) of every history row of the mark, oldest first."""
        return list(
            Score.history.filter(id=self.score_id)  # type: ignore[attr-defined]
            .order_by("history_id")
            .values_list("value", "version", "history_user_id")
        )


@pytest.fixture
def mark(transactional_db: None) -> Mark:
    scenario = build_stage(teams=("alpha", "beta"))
    for user in scenario.users.values():
        user.set_password(PASSWORD)
        user.save()
    alpha = scenario.participations["alpha"]
    common = scenario.criteria["common"]
    score = score_save(
        participation_id=alpha.pk, criterion_id=common.pk, value="10", user=scenario.users["admin"]
    )
    return Mark(score.pk, scenario.stage.pk, alpha.pk, common.pk, scenario.users)


def values_of_round(number: int) -> tuple[Decimal, Decimal]:
    """Two different values, both different from every value of the round before: a value
    equal to the stored one would be "the same request twice", accepted without a change."""
    base = Decimal(number % 19)
    return base + Decimal("0.25"), base + Decimal("0.75")


def shown(value: Decimal) -> str:
    """A mark as the grid and the API write it: 3.250 → "3.25"."""
    return format(value.normalize(), "f")


class Round:
    """One round's bookkeeping: what the mark was before, and the checks after."""

    def __init__(self, mark: Mark) -> None:
        self.mark = mark
        before = mark.current()
        self.version = before.version
        self.history_rows = len(mark.history())

    def assert_only_the_winner_was_saved(self, *, winner: User, value: Decimal) -> None:
        after = self.mark.current()
        assert (after.value, after.version, after.entered_by_id) == (
            value,
            self.version + 1,
            winner.pk,
        ), "the stored mark is not exactly the winner's write, one version on"
        history = self.mark.history()
        assert len(history) == self.history_rows + 1, "not exactly one history row per round"
        assert history[-1] == (value, self.version + 1, winner.pk)


def assert_whole_history_is_the_winners(mark: Mark, winners: list[tuple[Decimal, int]]) -> None:
    """After all rounds: the first entry, then exactly one row per round, each the winner's."""
    admin = mark.users["admin"].pk
    expected = [(Decimal("10"), 1, admin)] + [
        (value, version, who) for version, (value, who) in enumerate(winners, start=2)
    ]
    assert mark.history() == expected


# --- the two kinds of client ----------------------------------------------------------------


class Grid:
    """One clerk's score grid, in a browser context of their own (own cookies, own session)."""

    def __init__(self, browser: Any, base_url: str, user: User, mark: Mark) -> None:
        self.user = user
        self.context = browser.new_context(locale="ko-KR")
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.goto(base_url + "/staff/")
        self.page.fill("input[name=username]", user.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.locator("main button[type=submit]").click()
        expect(self.page.locator("[data-testid=roles]")).to_be_visible()
        self.page.goto(f"{base_url}/staff/stages/{mark.stage_id}/scores/")
        self.cell = self.page.locator(f"#cell-{mark.participation_id}-{mark.criterion_id}-")
        self.input = self.cell.locator("input.cell__input")

    def type(self, value: Decimal) -> None:
        self.input.fill(shown(value))

    def save(self, *, at: float | None = None) -> None:
        """Leave the cell, as a clerk does with Tab: its change event sends the save.

        `at` (time.time(), the browser's clock too) has the page leave the cell at that moment
        rather than as soon as asked, so two browsers can send at the same instant: asking each
        in turn would put a few milliseconds of Playwright between them.
        """
        self.input.evaluate(
            "(input, at) => setTimeout(() => input.blur(), Math.max(0, at - Date.now()))",
            (at if at is not None else time.time()) * 1000,
        )

    def expect_save(self) -> Any:
        return self.page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/scores/cell/"),
            timeout=WAIT_MS,
        )

    def sees_saved(self, value: Decimal) -> None:
        expect(self.input).to_have_attribute("data-saved", shown(value))
        expect(self.cell).not_to_have_class(re.compile("cell--conflict"))

    def sees_conflict(self, *, theirs: Decimal, yours: Decimal, who: User) -> None:
        """The refused person is told: both values, and who saved the other."""
        conflict = self.cell.locator(".cell__conflict")
        expect(conflict).to_be_visible()
        expect(conflict.get_by_test_id("theirs")).to_have_text(shown(theirs))
        expect(conflict.get_by_test_id("yours")).to_have_text(shown(yours))
        expect(conflict).to_contain_text(who.username)

    def keep_theirs(self, value: Decimal) -> None:
        """Take the other value: the cell is read again, at its current version."""
        self.cell.get_by_role("button", name=KEEP_THEIRS).click()
        expect(self.cell.locator(".cell__conflict")).to_have_count(0)
        expect(self.input).to_have_value(shown(value))
        expect(self.input).to_have_attribute("data-saved", shown(value))

    def close(self) -> None:
        self.context.close()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    etag: str | None
    sent: float  # time.monotonic() when the request left, and when its answer was read
    answered: float


class ApiClient:
    """A staff tool on the write API: its own token and its own HTTP connection."""

    def __init__(self, base_url: str, user: User, mark: Mark) -> None:
        self.user = user
        self.url = f"/api/v1/staff/scores/{mark.score_id}/"
        self.token = Token.objects.get_or_create(user=user)[0].key
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "localhost", parts.port, timeout=WAIT_S
        )

    def _send(self, method: str, body: dict[str, Any] | None, **headers: str) -> Answer:
        sent = time.monotonic()
        self.connection.request(
            method,
            self.url,
            body=json.dumps(body) if body is not None else None,
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Accept-Language": "ko",
                **headers,
            },
        )
        response = self.connection.getresponse()
        payload = response.read()
        return Answer(
            response.status,
            json.loads(payload),
            response.getheader("ETag"),
            sent,
            time.monotonic(),
        )

    def etag(self) -> str:
        answer = self._send("GET", None)
        assert answer.status == 200 and answer.etag
        return answer.etag

    def put(self, value: Decimal, *, if_match: str) -> Answer:
        return self._send("PUT", {"value": shown(value)}, **{"If-Match": if_match})

    def close(self) -> None:
        self.connection.close()


def assert_told_the_winning_value(answer: Answer, *, theirs: Decimal, who: User) -> None:
    """The refused client gets a 412 in the API's error shape, naming the value that won and
    who saved it, whether its request came before or during the winner's transaction."""
    assert answer.status == 412, answer
    assert answer.body.keys() >= ERROR_SHAPE, answer.body
    assert answer.body["code"] == "precondition_failed", answer.body
    assert Decimal(answer.body["params"]["value"]) == theirs, answer.body
    assert answer.body["params"]["user"] == who.username, answer.body
    assert shown(theirs) in answer.body["message"], answer.body
    assert who.username in answer.body["message"], answer.body


def assert_accepted(answer: Answer, *, value: Decimal, version: int) -> None:
    assert answer.status == 200, answer
    assert Decimal(answer.body["value"]) == value and answer.body["version"] == version
    assert answer.etag == answer.body["etag"]


@pytest.fixture
def race_pool() -> Iterator[ThreadPoolExecutor]:
    """Threads for the API side of the race; each opens a database connection of its own in
    the live server, never in this one."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="drill-api") as pool:
        yield pool


def report(request: pytest.FixtureRequest, outcomes: Counter[str]) -> None:
    """The outcome counts, in the test's report (`-rA` shows them)."""
    line = ", ".join(f"{what}: {count}" for what, count in sorted(outcomes.items()))
    request.node.add_report_section("call", "outcomes", f"{ROUNDS} rounds: {line}")


# --- the drills -----------------------------------------------------------------------------


@pytest.mark.browser
def test_two_clerks_in_the_browser_save_the_same_mark_at_once(
    live_server: Any, browser: Any, mark: Mark, request: pytest.FixtureRequest
) -> None:
    kim = Grid(browser, live_server.url, mark.users["clerk"], mark)
    lee = Grid(browser, live_server.url, mark.users["clerk2"], mark)
    outcomes: Counter[str] = Counter()
    winners: list[tuple[Decimal, int]] = []
    try:
        for number in range(ROUNDS):
            round_ = Round(mark)
            values = dict(zip((kim, lee), values_of_round(number), strict=True))
            for grid, value in values.items():
                grid.type(value)
            # Both leave the cell at the same instant, just after both have been asked to.
            at = time.time() + LEAD_S
            with kim.expect_save() as kim_answer, lee.expect_save() as lee_answer:
                kim.save(at=at)
                lee.save(at=at)
            statuses = {kim: kim_answer.value.status, lee: lee_answer.value.status}
            assert sorted(statuses.values()) == [200, 409], statuses
            winner = kim if statuses[kim] == 200 else lee
            loser = lee if winner is kim else kim
            winner.sees_saved(values[winner])
            loser.sees_conflict(theirs=values[winner], yours=values[loser], who=winner.user)
            round_.assert_only_the_winner_was_saved(winner=winner.user, value=values[winner])
            winners.append((values[winner], winner.user.pk))
            outcomes[f"{winner.user.username} won"] += 1
            loser.keep_theirs(values[winner])
    finally:
        kim.close()
        lee.close()
    assert_whole_history_is_the_winners(mark, winners)
    report(request, outcomes)


def test_two_api_clients_put_the_same_mark_with_the_same_if_match(
    live_server: Any, mark: Mark, race_pool: ThreadPoolExecutor, request: pytest.FixtureRequest
) -> None:
    one = ApiClient(live_server.url, mark.users["clerk"], mark)
    two = ApiClient(live_server.url, mark.users["clerk2"], mark)
    barrier = threading.Barrier(2)
    outcomes: Counter[str] = Counter()
    winners: list[tuple[Decimal, int]] = []

    def put_at_once(client: ApiClient, value: Decimal, etag: str) -> Callable[[], Answer]:
        def go() -> Answer:
            barrier.wait(timeout=WAIT_S)
            return client.put(value, if_match=etag)

        return go

    try:
        for number in range(ROUNDS):
            round_ = Round(mark)
            etag = one.etag()
            assert two.etag() == etag  # both have loaded the same version
            values = dict(zip((one, two), values_of_round(number), strict=True))
            futures = {c: race_pool.submit(put_at_once(c, values[c], etag)) for c in values}
            answers = {c: f.result(timeout=WAIT_S) for c, f in futures.items()}
            accepted = [c for c, a in answers.items() if a.status == 200]
            assert len(accepted) == 1, {c.user.username: a for c, a in answers.items()}
            winner = accepted[0]
            loser = two if winner is one else one
            assert_accepted(answers[winner], value=values[winner], version=round_.version + 1)
            assert_told_the_winning_value(answers[loser], theirs=values[winner], who=winner.user)
            round_.assert_only_the_winner_was_saved(winner=winner.user, value=values[winner])
            winners.append((values[winner], winner.user.pk))
            outcomes[f"{winner.user.username} won"] += 1
            if max(a.sent for a in answers.values()) < min(a.answered for a in answers.values()):
                outcomes["both in flight together"] += 1
    finally:
        one.close()
        two.close()
    assert_whole_history_is_the_winners(mark, winners)
    report(request, outcomes)


@pytest.mark.browser
def test_a_clerk_in_the_browser_and_an_api_client_save_the_same_mark_at_once(
    live_server: Any,
    browser: Any,
    mark: Mark,
    race_pool: ThreadPoolExecutor,
    request: pytest.FixtureRequest,
) -> None:
    grid = Grid(browser, live_server.url, mark.users["clerk"], mark)
    api = ApiClient(live_server.url, mark.users["clerk2"], mark)
    barrier = threading.Barrier(2)
    outcomes: Counter[str] = Counter()
    winners: list[tuple[Decimal, int]] = []

    def put_at_once(value: Decimal, etag: str) -> Answer:
        barrier.wait(timeout=WAIT_S)
        return api.put(value, if_match=etag)

    try:
        for number in range(ROUNDS):
            round_ = Round(mark)
            typed, sent = values_of_round(number)
            etag = api.etag()  # the API client reads the current version, as after a 412
            grid.type(typed)
            api_answer = race_pool.submit(put_at_once, sent, etag)
            with grid.expect_save() as browser_answer:
                barrier.wait(timeout=WAIT_S)  # releases the API thread...
                grid.save()  # ...as the clerk tabs out of the cell
            answer = api_answer.result(timeout=WAIT_S)
            if browser_answer.value.status == 200:
                assert_told_the_winning_value(answer, theirs=typed, who=grid.user)
                grid.sees_saved(typed)
                round_.assert_only_the_winner_was_saved(winner=grid.user, value=typed)
                winners.append((typed, grid.user.pk))
                outcomes["browser won"] += 1
            else:
                assert browser_answer.value.status == 409, browser_answer.value.status
                assert_accepted(answer, value=sent, version=round_.version + 1)
                grid.sees_conflict(theirs=sent, yours=typed, who=api.user)
                round_.assert_only_the_winner_was_saved(winner=api.user, value=sent)
                winners.append((sent, api.user.pk))
                outcomes["API won"] += 1
                grid.keep_theirs(sent)
    finally:
        grid.close()
        api.close()
    assert_whole_history_is_the_winners(mark, winners)
    report(request, outcomes)


def test_a_save_that_waited_for_the_winning_write_is_told_the_winning_value(
    mark: Mark, other_session: psycopg.Connection
) -> None:
    """The interleaving the API drill caught, pinned: the loser reads the mark (version 1),
    the winner's write commits while the loser's compare-and-set waits for its row lock, and
    the loser's update then matches nothing. The loser used to be told the value and version
    both had started from ("now version 1, value 10.0"); it must be told the winner's."""
    winner, loser = mark.users["clerk2"], mark.users["clerk"]
    # The winner's write, held uncommitted so the loser's update has to wait for it.
    other_session.execute(
        "UPDATE evaluations_score SET value = 12.5, version = version + 1, entered_by_id = %s"
        " WHERE id = %s",
        [winner.pk, mark.score_id],
    )
    refused: list[ConflictError] = []

    def loser_saves() -> None:
        try:
            score_save(
                participation_id=mark.participation_id,
                criterion_id=mark.criterion_id,
                value="7",
                user=loser,
                expected_version=1,
            )
        except ConflictError as error:
            refused.append(error)
        finally:
            connections.close_all()  # this thread's own database connection

    thread = threading.Thread(target=loser_saves)
    thread.start()
    blocker = other_session.info.backend_pid
    wait_until(
        lambda: backends_waiting_for_lock(blocked_by=blocker),
        timeout=WAIT_S,
        what="the loser's update to wait for the winner's row lock",
    )
    other_session.commit()
    thread.join(timeout=WAIT_S)

    assert not thread.is_alive() and len(refused) == 1
    assert refused[0].code == "score_changed"
    assert refused[0].as_dict()["params"] == {
        "user": winner.username,
        "version": 2,
        "value": "12.5",
        "expected_version": 1,
    }
    after = mark.current()
    assert (after.value, after.version, after.entered_by_id) == (Decimal("12.5"), 2, winner.pk)
