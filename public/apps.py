from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save

# Apps whose rows the public pages show; any save there makes cached pages stale.
RECORD_APPS = ("programs", "teams", "evaluations")


class PublicConfig(AppConfig):
    """Public pages, feeds, the embed view and charts: read only, through publications."""

    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from public.caching import record_changed

        for label in RECORD_APPS:
            for model in apps.get_app_config(label).get_models():
                post_save.connect(record_changed, sender=model, dispatch_uid=f"public-{model}")
                post_delete.connect(record_changed, sender=model, dispatch_uid=f"public-d-{model}")
        m2m_changed.connect(record_changed, dispatch_uid="public-m2m")
