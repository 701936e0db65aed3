from django.contrib import admin

from communities.models import Community, CommunityLanguage, Membership, RoleAssignment


class CommunityLanguageInline(admin.TabularInline):
    model = CommunityLanguage
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    inlines = [CommunityLanguageInline]
    list_display = ("name", "slug", "visibility", "join_policy", "created_at")
    list_filter = ("visibility", "join_policy")
    search_fields = ("name", "slug", "description")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "status", "tier", "joined_at", "last_participated_at")
    list_filter = ("status", "tier", "is_internal", "acquisition_source")
    search_fields = ("user__email", "community__name")
    raw_id_fields = ("user", "community")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("community", "role", "holder", "backup")
    list_filter = ("role",)
    raw_id_fields = ("holder", "backup", "community")
