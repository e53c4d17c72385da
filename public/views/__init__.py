"""Public views, one module per kind of answer: pages, feeds, the embed view, search-engine
files and error pages."""

from public.views.embed import stage_embed
from public.views.errors import page_not_found, server_error
from public.views.pages import (
    announcements,
    home,
    model_detail,
    model_list,
    stage_detail,
    team_detail,
)
from public.views.seo import robots_txt

__all__ = [
    "announcements",
    "home",
    "model_detail",
    "model_list",
    "page_not_found",
    "robots_txt",
    "server_error",
    "stage_detail",
    "stage_embed",
    "team_detail",
]
