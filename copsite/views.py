"""Friendly error pages (500 renders without the request's context: anything may be broken),
and how a view tells the person that a service refused what they asked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


class Refusal(PermissionDenied):
    """A 403 whose message is written for the person refused: the error page shows it."""


def message_refusal(request, error: ValidationError) -> None:
    """Shows a service's refusal at the top of the next page (for actions without a form
    whose fields could carry it: see copsite.forms.add_service_errors for those)."""
    messages.error(request, " ".join(error.messages))


def permission_denied(request, exception=None):
    reason = str(exception) if isinstance(exception, Refusal) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())
