"""How every form on the site renders: Bootstrap classes, errors next to their field."""

from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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
            # The error first; Django may already name it after the help text (each id once).
            error_id = f"{self.auto_id}_error"
            others = [i for i in attrs.get("aria-describedby", "").split() if i != error_id]
            attrs["aria-describedby"] = " ".join([error_id, *others])
        attrs["class"] = f"{attrs.get('class', '')} {css_class}".strip()
        return attrs

    @property
    def is_check(self) -> bool:
        return isinstance(self.field.widget, widgets.CheckboxInput)

    @property
    def is_choice_list(self) -> bool:
        """Radio buttons or a list of checkboxes: a group, labelled by a legend."""
        return isinstance(self.field.widget, (widgets.RadioSelect, widgets.CheckboxSelectMultiple))


class FormRenderer(TemplatesSetting):
    bound_field_class = BootstrapBoundField
    field_template_name = "components/form_field.html"


class ScaleSelect(widgets.RadioSelect):
    """Radio buttons side by side, for a short scale (1 to 5, 0 to 10)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["inline"] = True
        return context


class FastSelect(widgets.Select):
    """A select that renders its options in one pass. Django renders every option through a
    template (~0.3 ms each): a time zone list (~600) alone took ~200 ms per page."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's way
        selected = {
            str(item) for item in (value if isinstance(value, (list, tuple)) else [value])
        } - {"None"}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, mark_safe(" selected") if str(option) in selected else "", label)
                for option, label in choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return widgets.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


def add_service_errors(form, error) -> None:
    """Shows a service's ValidationError next to the fields it names (else on the form), so
    that a rule the form could not check still gets its message at the field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)
