"""What the API does when the domain changes (connected in `ApiConfig.ready`).

- Reference data the public sees (programs, stages, criteria, teams, models, …) edited: a new
  public data version, so ETags and cached bodies change. Saves that only move a stage or team
  along its workflow (status, leaving stage, announcement time) are ignored on purpose: those
  are results before publication, and even a changed ETag would hint at them.
- A publication made: a webhook event for the subscribers (api/webhooks.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from api import webhooks
from api.models import PublicDataVersion
from evaluations.signals import publication_made
from programs.models import Criterion, Gate, Milestone, Program, Source, Stage
from teams.models import AIModel, BenchmarkResult, Membership, Organization, Team

PUBLIC_REFERENCE_MODELS = (
    Program,
    Source,
    Stage,
    Criterion,
    Gate,
    Milestone,
    Organization,
    Team,
    Membership,
    AIModel,
    BenchmarkResult,
)
WORKFLOW_FIELDS = frozenset(
    {"status", "left_stage", "announcement_at", "standings_inputs_version", "published_at"}
)


def public_data_changed(sender: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= WORKFLOW_FIELDS:
        return
    if kwargs.get("raw"):  # loading fixtures
        return
    PublicDataVersion.bump()


def public_relation_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(
        instance, PUBLIC_REFERENCE_MODELS
    ):
        PublicDataVersion.bump()


def on_publication_made(
    sender: Any, publication_id: int, stage_id: int, is_correction: bool, **kwargs: Any
) -> None:
    webhooks.event_record(publication_id=publication_id)


def connect() -> None:
    for model in PUBLIC_REFERENCE_MODELS:
        uid = f"api.public_data_changed.{model._meta.label_lower}"
        post_save.connect(public_data_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(public_data_changed, sender=model, dispatch_uid=uid + ".delete")
    m2m_changed.connect(public_relation_changed, dispatch_uid="api.public_relation_changed")
    publication_made.connect(on_publication_made, dispatch_uid="api.webhooks.publication_made")
