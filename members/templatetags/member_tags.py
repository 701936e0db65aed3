import functools

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from communities.models import WORKING_LANGUAGES

register = template.Library()


@functools.lru_cache(maxsize=64)
def _options_html(field_key: str, language: str, choices: tuple) -> str:
    return format_html_join("", '<option value="{}">{}</option>', choices)


@register.simple_tag
def select_options(bound_field) -> SafeString:
    """The <option>s of a filter select with many choices (countries, languages) in one
    string, cached per language: rendering 250 options through Django's widget templates
    costs more than the whole search it filters."""
    choices = tuple((str(value), str(label)) for value, label in bound_field.field.choices)
    html = _options_html(bound_field.html_name, get_language() or "", choices)
    current = bound_field.value()
    if current:
        marker = format_html('<option value="{}">', current)
        html = html.replace(marker, marker[:-1] + " selected>", 1)
    return mark_safe(html)  # noqa: S308 (built by format_html_join from escaped values)


_LANGUAGE_NAMES = dict(WORKING_LANGUAGES)


@register.filter
def language_name(code: str) -> str:
    """The name of a language code, in the viewer's language. get_code_display() would
    re-flatten Django's ~100 language choices on every call."""
    return str(_LANGUAGE_NAMES.get(code, code))


@register.filter
def country_name(code) -> str:
    """A country's name in the viewer's language, from the cached, sorted list."""
    return _country_names(get_language() or "").get(str(code or ""), "")


@functools.lru_cache(maxsize=16)
def _country_names(language: str) -> dict[str, str]:
    from members.forms import country_choices  # noqa: PLC0415

    return dict(country_choices())
