"""Files for search engines: robots.txt and the sitemap (published stages only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be crawled except the staff screens, the admin and the embed
    copies (the full pages are the ones to index)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /staff/",
        "Disallow: /embed/",
        "Disallow: /en/embed/",
        f"Sitemap: {request.build_absolute_uri(reverse('public:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
