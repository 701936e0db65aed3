from django.core.exceptions import PermissionDenied
from django.urls import path

from copsite.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("forbidden/", forbidden), path("broken/", broken), *urlpatterns]
