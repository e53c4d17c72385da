"""Staff screens under /staff/."""

from django.urls import URLPattern, URLResolver

app_name = "staff"

urlpatterns: list[URLPattern | URLResolver] = []
