from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Public pages, feeds, the embed view and charts: read only, through publications."""

    name = "public"
    verbose_name = "Public site"
