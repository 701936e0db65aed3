from django.contrib import admin
from django.db import models

from copsite.admin import ServiceFieldsAdmin
from events.models import Event, Registration


@admin.register(Event)
class EventAdmin(ServiceFieldsAdmin):
    list_display = ("title", "community", "format", "starts_at", "capacity", "status")
    list_filter = ("format", "mode", "status", "visibility")
    search_fields = ("title", "community__name")
    raw_id_fields = ("community", "created_by")
    date_hierarchy = "starts_at"
    # A meeting link typed without a scheme is https, as in the app's own form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Once the event exists, these change only through the app's pages and services:
    # - community: its registrations, checks and emails were made for that community's
    #   members;
    # - capacity: a cut moves the latest seats to the waiting list after a confirmation, a
    #   rise promotes the people waiting;
    # - status: cancelling tells everyone registered;
    # - visibility: narrowing it withdraws the places of people who may no longer see it.
    service_fields = ("community", "capacity", "status", "visibility")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """To look at, not to edit: registering, cancelling and the waiting list go through the
    events services (seats, promotion, emails). Organisers cancel from the roster."""

    list_display = ("event", "user", "status", "registered_at", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("event__title", "user__email")
    raw_id_fields = ("event", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
