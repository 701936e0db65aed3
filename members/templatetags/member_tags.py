import functools

from django import template
from django.urls import reverse
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


@register.simple_tag
def member_card(membership, community) -> SafeString:
    """One directory card, built in Python: the directory renders up to 24 on every
    keystroke, and the template language spent ~0.3 ms per card on lookups alone."""
    person = membership.user
    profile = getattr(person, "member_profile", None)
    name = person.name
    if profile is not None and profile.photo:
        avatar = format_html(
            '<img src="{}" alt="" width="64" height="64" '
            'class="rounded-circle object-fit-cover flex-shrink-0">',
            reverse("members_photo", kwargs={"slug": community.slug, "user_id": person.pk}),
        )
    else:
        avatar = format_html(
            '<div class="rounded-circle bg-secondary-subtle d-flex align-items-center '
            'justify-content-center flex-shrink-0" style="width:64px;height:64px" '
            'aria-hidden="true">{}</div>',
            name[:1].upper(),
        )
    tier = (
        format_html(' <span class="badge text-bg-primary">{}</span>', membership.get_tier_display())
        if membership.tier != "member"
        else ""
    )
    place = " · ".join(
        part
        for part in (
            person.organisation,
            country_name(person.country.code if person.country else ""),
        )
        if part
    )
    expertise = (
        format_html(
            '<p class="small mb-1">{}</p>',
            format_html_join(
                "",
                '<span class="badge text-bg-light border me-1">{}</span>',
                ((tag,) for tag in profile.expertise),
            ),
        )
        if profile is not None and profile.expertise
        else ""
    )
    languages = (
        format_html(
            '<p class="small mb-1 text-body-secondary">{}</p>',
            ", ".join(language_name(code) for code in profile.languages),
        )
        if profile is not None and profile.languages
        else ""
    )
    email = (
        format_html('<a class="small text-break" href="mailto:{0}">{0}</a>', person.email)
        if profile is not None and profile.show_email
        else ""
    )
    return format_html(
        '<div class="col"><article class="card h-100"><div class="card-body d-flex gap-3">{}'
        '<div class="min-w-0"><h2 class="h6 mb-0">{}{}</h2>'
        '<p class="small text-body-secondary mb-1">{}</p>{}{}{}</div></div></article></div>',
        avatar, name, tier, place, expertise, languages, email,
    )  # fmt: skip
