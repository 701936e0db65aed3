"""Friendly error pages. 500 renders without the request's context: anything may be broken."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


class Refusal(PermissionDenied):
    """A 403 whose message is written for the person refused: the error page shows it."""


def permission_denied(request, exception=None):
    reason = str(exception) if isinstance(exception, Refusal) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())
