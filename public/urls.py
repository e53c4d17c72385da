"""Public pages, feeds, the embed view and search-engine files (inside `i18n_patterns`: Korean
at /…, English at /en/…)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from public import views
from public.caching import published_page
from public.feeds import AnnouncementsFeed
from public.sitemaps import SITEMAPS

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("stages/<slug:slug>/", views.stage_detail, name="stage"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
    path("models/", views.model_list, name="models"),
    path("models/<slug:slug>/", views.model_detail, name="model"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/feed/", require_safe(published_page(AnnouncementsFeed())), name="feed"),
    path("embed/stages/<slug:slug>/", views.stage_embed, name="embed_stage"),
    path(
        "sitemap.xml",
        # Django's sitemap view answers any method; the public site only reads.
        require_safe(published_page(sitemap)),
        {"sitemaps": SITEMAPS, "template_name": "public/sitemap.xml"},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
