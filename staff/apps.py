from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The ministry staff's screens: enter, import, confirm, review, decide, publish, correct."""

    name = "staff"
    verbose_name = "Staff screens"
