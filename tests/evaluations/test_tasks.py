"""evaluations/tasks.py: every task runs under the time limits from the settings, and the
reconcile job hands each stale stage to its own recompute."""

from __future__ import annotations

import pytest
from celery.signals import task_prerun
from django.conf import settings

from config.celery import app
from evaluations import tasks
from evaluations.services.recompute import stages_stale
from tests.builders import build_stage, enter_five_teams

OUR_TASKS = [task for name, task in sorted(app.tasks.items()) if name.startswith("evaluations.")]


def test_the_project_registers_its_tasks():
    assert {task.name for task in OUR_TASKS} >= {
        "evaluations.standings_recompute",
        "evaluations.stage_publish_due",
        "evaluations.standings_reconcile",
    }


@pytest.mark.parametrize("task", OUR_TASKS, ids=lambda task: task.name)
def test_every_task_runs_under_the_time_limits_from_the_settings(task):
    # A task takes its limits from the settings unless it sets its own, which would win.
    assert (task.soft_time_limit, task.time_limit) == (
        settings.CELERY_TASK_SOFT_TIME_LIMIT,
        settings.CELERY_TASK_TIME_LIMIT,
    )


@pytest.mark.django_db
def test_reconcile_queues_one_recompute_per_stale_stage_and_they_catch_up():
    scenario = build_stage()
    enter_five_teams(scenario)  # the on-commit recomputes never ran: the stage is stale
    started: list[tuple[str, tuple]] = []

    def record(sender, args, **kwargs):
        started.append((sender.name, tuple(args)))

    task_prerun.connect(record)
    try:
        reconciled = tasks.standings_reconcile.delay().get()
    finally:
        task_prerun.disconnect(record)

    assert reconciled == [scenario.stage.pk]
    assert started == [
        ("evaluations.standings_reconcile", ()),
        ("evaluations.standings_recompute", (scenario.stage.pk,)),
    ]
    assert not stages_stale().exists()
