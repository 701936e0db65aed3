from django.contrib import admin
from django.urls import include, path

from copsite import views
from copsite.health import healthz

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Last: community pages live at /<slug>/ (see communities.models.RESERVED_SLUGS).
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("communities.urls")),
]

handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
