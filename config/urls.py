from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "독자 AI 파운데이션 모델 프로젝트 관리 / Program tracker administration"
admin.site.site_title = "독자 AI 파운데이션 모델 프로젝트 관리"
admin.site.index_title = "관리 / Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("evaluations.urls_public")),
]
