from django.contrib import admin

from notifications.models import Delivery, OutboxMessage


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "about", "period", "status", "attempts")
    list_filter = ("status", "kind", "language")
    search_fields = ("recipient", "about", "subject")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "task", "attempts", "last_error")
    list_filter = ("task",)
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
