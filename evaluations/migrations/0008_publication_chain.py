"""Publications carry a hash chain: each one's digest and the digest of the one before it.

Existing publications are chained in the order they were made (by id), per program, with the
same rule the publishing service uses (evaluations/chain.py).
"""

from typing import Any

from django.db import migrations, models

from evaluations.chain import publication_record, record_digest


def chain_existing(apps: Any, schema_editor: Any) -> None:
    Publication = apps.get_model("evaluations", "Publication")
    previous_by_program: dict[int, str] = {}
    for publication in Publication.objects.select_related("stage__program", "corrects").order_by(
        "pk"
    ):
        program = publication.stage.program
        previous = previous_by_program.get(program.pk, "")
        record = publication_record(
            program=program.slug,
            stage=publication.stage.slug,
            sequence=publication.sequence,
            published_at=publication.published_at,
            corrects_sequence=publication.corrects.sequence if publication.corrects_id else None,
            note_ko=publication.note_ko,
            note_en=publication.note_en,
            payload=publication.payload,
            previous_digest=previous,
        )
        digest = record_digest(record)
        # update(): the model's save() refuses to touch a frozen publication.
        Publication.objects.filter(pk=publication.pk).update(
            digest=digest, previous_digest=previous
        )
        previous_by_program[program.pk] = digest


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0007_score_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="digest",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="publication",
            name="previous_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        # The history of a publication (django-simple-history) mirrors its fields.
        migrations.AddField(
            model_name="historicalpublication",
            name="digest",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalpublication",
            name="previous_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.UniqueConstraint(
                condition=models.Q(("previous_digest", ""), _negated=True),
                fields=("previous_digest",),
                name="publication_chain_no_fork",
            ),
        ),
    ]
