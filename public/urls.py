"""Public pages (URLs split by audience: public here, staff and API in their own modules)."""

from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
]
