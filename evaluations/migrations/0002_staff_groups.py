"""Create the three staff groups. Their permissions are set after every migrate by
`evaluations.roles.grant_role_permissions` (permissions do not exist yet during migrations)."""

from django.db import migrations

GROUP_NAMES = ("admin", "clerk", "verifier")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    for name in GROUP_NAMES:
        Group.objects.using(db).get_or_create(name=name)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    Group.objects.using(db).filter(name__in=GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_groups, delete_groups),
    ]
