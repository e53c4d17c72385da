"""Public pages of the program."""

from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
]
