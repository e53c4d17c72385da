"""The REST API under /api/: v1 endpoints, the OpenAPI schema and its docs (served by the app)."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import errors
from api.views import public, staff

app_name = "api"

router = SimpleRouter()
router.register("programs", public.ProgramViewSet, basename="program")
router.register("stages", public.StageViewSet, basename="stage")
router.register("teams", public.TeamViewSet, basename="team")
router.register("organizations", public.OrganizationViewSet, basename="organization")
router.register("models", public.AIModelViewSet, basename="aimodel")
router.register("benchmarks", public.BenchmarkResultViewSet, basename="benchmark")
router.register("publications", public.PublicationViewSet, basename="publication")
# Staff tools: token authentication, roles checked by the same services as the browser.
router.register("staff/scores", staff.ScoreViewSet, basename="staff-score")
router.register("staff/gate-results", staff.GateResultViewSet, basename="staff-gate-result")
router.register("staff/stages", staff.StageActionViewSet, basename="staff-stage")

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/: the JSON error shape, not an HTML page.
    re_path(r"^.*$", errors.not_found),
]
