"""How every form on the site renders: Bootstrap classes, errors next to their field."""

from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

CHECK_WIDGETS = (widgets.CheckboxInput, widgets.RadioSelect, widgets.CheckboxSelectMultiple)


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, CHECK_WIDGETS):
            css_class = "form-check-input"
        elif isinstance(widget, widgets.Select):
            css_class = "form-select"
        else:
            css_class = "form-control"
        if self.errors:
            css_class += " is-invalid"
            described_by = [f"{self.auto_id}_error", attrs.get("aria-describedby", "")]
            attrs["aria-describedby"] = " ".join(filter(None, described_by))
        attrs["class"] = f"{attrs.get('class', '')} {css_class}".strip()
        return attrs

    @property
    def is_check(self) -> bool:
        return isinstance(self.field.widget, widgets.CheckboxInput)


class FormRenderer(TemplatesSetting):
    bound_field_class = BootstrapBoundField
    field_template_name = "components/form_field.html"
