"""What the apps' admin classes share."""

import logging

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError

logger = logging.getLogger(__name__)


class ServiceFieldsAdmin(admin.ModelAdmin):
    """A model admin whose `service_fields` can be set when an object is added, and are
    read-only once it exists: changing them has consequences (emails, withdrawn places,
    promotions, checks) that only the app's services carry out, so staff change them on the
    app's own pages.

    A save that loses a race (a double click, or two staff adding the same thing: the form's
    checks passed, then the other request's row made the save fail) shows the form again with
    the error at the field, instead of a server error."""

    service_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *self.service_fields) if obj is not None else fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, ValidationError):
            if request.method != "POST":
                raise
            logger.warning("%s: a save failed; checking the form again", self.opts.label)
            # The failed save's transaction is rolled back. Checked again, the form sees the
            # other request's row and says why at the field; only a second failure is an error.
            return super().changeform_view(request, object_id, form_url, extra_context)
