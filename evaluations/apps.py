from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations and publications"

    def ready(self) -> None:
        # Importing the task module registers the Celery tasks in every process (web, shell,
        # worker), so services can enqueue them by name without importing it.
        from evaluations import tasks  # noqa: F401
        from evaluations.roles import grant_role_permissions_after_migrate

        # Sent once per app after `migrate`; with sender=self it runs after the permissions of
        # programs, teams and evaluations exist (auth creates them in its own receiver first).
        post_migrate.connect(
            grant_role_permissions_after_migrate,
            sender=self,
            dispatch_uid="evaluations.grant_role_permissions",
        )
