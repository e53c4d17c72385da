from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

admin.site.site_header = "독자 AI 파운데이션 모델 프로젝트 관리 / Program tracker administration"
admin.site.site_title = "독자 AI 파운데이션 모델 프로젝트 관리"
admin.site.index_title = "관리 / Administration"

# URLs split by audience: each interface app owns its own URL module.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("staff.urls")),
    path("api/", include("api.urls")),
]
# Public pages: Korean at /…, English at /en/….
urlpatterns += i18n_patterns(path("", include("public.urls")), prefix_default_language=False)

handler404 = "public.views.page_not_found"
handler500 = "public.views.server_error"
