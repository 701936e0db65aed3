from django.contrib import admin

from events.models import Event, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "format", "starts_at", "capacity", "status")
    list_filter = ("format", "mode", "status", "visibility")
    search_fields = ("title", "community__name")
    raw_id_fields = ("community", "created_by")
    date_hierarchy = "starts_at"

    def get_readonly_fields(self, request, obj=None):
        # An event stays in its community: its registrations, checks and emails were made
        # for that community's members.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "community") if obj is not None else fields


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "user", "status", "registered_at", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("event__title", "user__email")
    raw_id_fields = ("event", "user")
