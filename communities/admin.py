from django.contrib import admin

from communities import services
from communities.models import Community, CommunityLanguage, Membership, RoleAssignment
from copsite.admin import ServiceFieldsAdmin


class CommunityLanguageInline(admin.TabularInline):
    model = CommunityLanguage
    extra = 0


@admin.register(Community)
class CommunityAdmin(ServiceFieldsAdmin):
    inlines = [CommunityLanguageInline]
    list_display = ("name", "slug", "visibility", "join_policy", "created_at")
    list_filter = ("visibility", "join_policy")
    search_fields = ("name", "slug", "description")
    # Turning a community private withdraws outsiders' places at its events (the settings
    # page, through community_update_settings).
    service_fields = ("visibility",)


@admin.register(Membership)
class MembershipAdmin(ServiceFieldsAdmin):
    list_display = ("user", "community", "status", "tier", "joined_at", "last_participated_at")
    list_filter = ("status", "tier", "is_internal", "acquisition_source")
    search_fields = ("user__email", "community__name")
    raw_id_fields = ("user", "community")
    # Once the membership exists, these change through the members pages: approving or
    # declining a request emails the person; leaving and removal keep the last Core Team
    # member and ask for succession; and every change of standing withdraws the person's
    # places at events they may no longer see.
    service_fields = ("community", "user", "status", "tier", "is_internal")

    def delete_model(self, request, obj):
        services.membership_delete(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("community", "user"):
            self.delete_model(request, membership)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("community", "role", "holder", "backup")
    list_filter = ("role",)
    raw_id_fields = ("holder", "backup", "community")
