from django.contrib import admin
from django.contrib.admin.actions import delete_selected as site_delete_selected
from django.contrib.admin.utils import get_deleted_objects
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.extensions import user_deleting_handled_models, user_deleting_warnings
from accounts.models import User
from accounts.services import user_delete


class _Settled:
    def has_delete_permission(self, request, obj=None) -> bool:
        return True


class _SettledSite:
    """The admin site as Django's deletion confirmation asks it (is a model registered, and
    may this person delete its rows?), except that the `settled` models' rows may go."""

    def __init__(self, site, *, settled):
        self.name, self._site, self._settled = site.name, site, settled

    def is_registered(self, model) -> bool:
        return self._site.is_registered(model)

    def get_model_admin(self, model):
        return _Settled() if model in self._settled else self._site.get_model_admin(model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "organisation", "country", "is_staff", "date_joined")
    search_fields = ("email", "display_name", "organisation")
    actions = ("delete_selected",)  # this class's, with the warnings, in place of the site's
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "organisation",
                    "country",
                    "time_zone",
                    "preferred_language",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Deleting someone ends their memberships and gives up their places at upcoming events
    # as the services do (the next person waiting gets the seat), before the cascade.
    def get_deleted_objects(self, objs, request):
        # Rows the apps' listeners settle first (user_delete) need no delete permission of
        # their own: registrations, read-only in their admin, would otherwise block it. The
        # person's registrations all go with the account, past ones (attendance) included.
        site = _SettledSite(self.admin_site, settled=user_deleting_handled_models())
        return get_deleted_objects(objs, request, site)

    def render_delete_form(self, request, context):
        # What the deletion would leave behind, above the confirmation (the apps say).
        context["deletion_warnings"] = user_deleting_warnings([context["object"]])
        return super().render_delete_form(request, context)

    @admin.action(permissions=["delete"], description=site_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        """Django's bulk deletion, its confirmation warned as a single one is, for the
        people selected together (two who are a community's only Core Team members)."""
        response = site_delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse):  # the confirmation, not the deletion
            response.context_data["deletion_warnings"] = user_deleting_warnings(queryset)
        return response

    def delete_model(self, request, obj):
        user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)
