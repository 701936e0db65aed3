import functools
from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from accounts.models import public_name
from communities.models import WORKING_LANGUAGES, Membership

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
def member_card(row: dict, community) -> SafeString:
    """One directory card from a `directory_cards()` row, built in Python with the standard
    library's escaping: the directory renders up to 24 on every keystroke, and Django's
    template lookups and format_html cost ~0.1 ms a card more than the rest of the page."""
    user_id = row["user_id"]
    raw_name = public_name(row["user__display_name"], user_id)
    name = escape(raw_name)
    if row["user__member_profile__photo"]:
        photo_url = reverse("members_photo", kwargs={"slug": community.slug, "user_id": user_id})
        avatar = (
            f'<img src="{escape(photo_url)}" alt="" width="64" height="64" '
            'class="rounded-circle object-fit-cover flex-shrink-0">'
        )
    else:
        avatar = (
            '<div class="rounded-circle bg-secondary-subtle d-flex align-items-center '
            'justify-content-center flex-shrink-0" style="width:64px;height:64px" '
            f'aria-hidden="true">{escape(raw_name[:1].upper())}</div>'
        )
    tier_label = escape(str(TIER_LABELS.get(row["tier"], row["tier"])))
    tier = (
        f' <span class="badge text-bg-primary">{tier_label}</span>'
        if row["tier"] != Membership.Tier.MEMBER
        else ""
    )
    place = escape(
        " · ".join(
            part for part in (row["user__organisation"], country_name(row["country"])) if part
        )
    )
    expertise = row["user__member_profile__expertise"] or []
    badges = "".join(
        f'<span class="badge text-bg-light border me-1">{escape(str(tag))}</span>'
        for tag in expertise
    )
    expertise_html = f'<p class="small mb-1">{badges}</p>' if badges else ""
    languages = row["user__member_profile__languages"] or []
    languages_html = (
        '<p class="small mb-1 text-body-secondary">'
        f"{escape(', '.join(language_name(code) for code in languages))}</p>"
        if languages
        else ""
    )
    email = escape(row["user__email"])
    email_html = (
        f'<a class="small text-break" href="mailto:{email}">{email}</a>'
        if row["user__member_profile__show_email"]
        else ""
    )
    return mark_safe(  # noqa: S308 (every value above is escaped)
        '<div class="col"><article class="card h-100"><div class="card-body d-flex gap-3">'
        f'{avatar}<div class="min-w-0"><h2 class="h6 mb-0">{name}{tier}</h2>'
        f'<p class="small text-body-secondary mb-1">{place}</p>'
        f"{expertise_html}{languages_html}{email_html}</div></div></article></div>"
    )


TIER_LABELS = dict(Membership.Tier.choices)
