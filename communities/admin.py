from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from communities import services
from communities.models import Community, CommunityLanguage, Membership, RoleAssignment
from communities.search import memberships_copy_search
from copsite.admin import ServiceFieldsAdmin


class CommunityLanguageInline(admin.TabularInline):
    model = CommunityLanguage
    extra = 0


class CommunityAddForm(forms.ModelForm):
    """A new community with its first Core Team member and Community Manager, as creating it
    on the site makes its creator: without one, nobody could run it on the site."""

    first_manager = forms.EmailField(
        label=_("First Community Manager"),
        help_text=_(
            "The email of an existing account: they join as the first Core Team member and "
            "Community Manager."
        ),
    )

    class Meta:
        model = Community
        fields = (
            "name",
            "slug",
            "description",
            "purpose",
            "people",
            "practice",
            "value_to_members",
            "value_to_organisation",
            "visibility",
            "join_policy",
        )

    def clean_first_manager(self):
        email = self.cleaned_data["first_manager"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account uses this email address."))
        return user


@admin.register(Community)
class CommunityAdmin(ServiceFieldsAdmin):
    add_form = CommunityAddForm
    inlines = [CommunityLanguageInline]
    list_display = ("name", "slug", "visibility", "join_policy", "created_at")
    list_filter = ("visibility", "join_policy")
    search_fields = ("name", "slug", "description")
    # Turning a community private withdraws outsiders' places at its events (the settings
    # page, through community_update_settings).
    service_fields = ("visibility",)

    def has_add_permission(self, request):
        # Adding one makes someone its Core Team member and Community Manager.
        return super().has_add_permission(request) and request.user.has_perms(
            ["communities.add_membership", "communities.add_roleassignment"]
        )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.community_add_first_manager(
                community=obj, user=form.cleaned_data["first_manager"]
            )


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # as the join services do: the directory finds people by this copy
            memberships_copy_search([obj.user_id])

    def delete_model(self, request, obj):
        services.membership_delete(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("community", "user"):
            self.delete_model(request, membership)


class RoleAssignmentForm(forms.ModelForm):
    """Checks what the roles page's services check: who may hold the role, the backup, one
    assignment per person and role. Errors show at their fields."""

    class Meta:
        model = RoleAssignment
        fields = ("community", "role", "holder", "backup")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                services.role_assign_check(
                    community=cleaned["community"],
                    role=cleaned["role"],
                    holder=cleaned["holder"],
                    backup=cleaned.get("backup"),
                )
            else:
                services.role_set_backup_check(
                    assignment=self.instance, backup=cleaned.get("backup")
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                # A field shown read-only (the holder, on an existing role) has no input.
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceFieldsAdmin):
    form = RoleAssignmentForm
    list_display = ("community", "role", "holder", "backup")
    list_filter = ("role",)
    raw_id_fields = ("holder", "backup", "community")
    # Once assigned, a role changes holder through the roles page's succession (hand-over);
    # a sponsor who loses the role there also gives up places at events they may no longer
    # see. The backup may be changed here, checked as on that page.
    service_fields = ("community", "role", "holder")

    def save_model(self, request, obj, form, change):
        if change:
            services.role_set_backup(assignment=obj, backup=obj.backup)
            return
        created = services.role_assign(
            community=obj.community, role=obj.role, holder=obj.holder, backup=obj.backup
        )
        obj.pk, obj.assigned_at = created.pk, created.assigned_at
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.role_unassign(assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("community", "holder"):
            self.delete_model(request, assignment)
