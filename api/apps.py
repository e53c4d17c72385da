from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API for press dashboards and staff tools, and publication webhooks."""

    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from api import receivers

        receivers.connect()
