"""What the apps' admin classes share."""

from django.contrib import admin


class ServiceFieldsAdmin(admin.ModelAdmin):
    """A model admin whose `service_fields` can be set when an object is added, and are
    read-only once it exists: changing them has consequences (emails, withdrawn places,
    promotions, checks) that only the app's services carry out, so staff change them on the
    app's own pages."""

    service_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *self.service_fields) if obj is not None else fields
