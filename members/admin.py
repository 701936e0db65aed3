from django.contrib import admin

from members.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "show_email", "updated_at")
    search_fields = ("user__email", "user__display_name")
    raw_id_fields = ("user",)
    exclude = ("age_range",)  # only ever shown in aggregate, not even here
