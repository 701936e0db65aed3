"""Calendar files and feeds (iCalendar), and the subscription links page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from communities import rules as community_rules
from communities.decorators import community_view
from events import rules, selectors, services
from events.decorators import event_view
from events.ical import REMINDERS, calendar_bytes, event_ics, vevent
from events.models import (
    Visibility,
)


@event_view()
def event_ics_download(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    with_link = bool(registration and registration.is_confirmed) or rules.can_organise(access)
    response = HttpResponse(event_ics(event, with_link=with_link), content_type="text/calendar")
    filename = f"{slugify(event.title)[:50] or 'event'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _calendar_response(entries, *, name: str) -> HttpResponse:
    response = HttpResponse(calendar_bytes(entries, name=name), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response


@community_view()
@cache_control(max_age=900)
def community_feed(request, community, access):
    """The community's public events, for anyone who can see the community."""
    events = selectors.feed_events(community=community, visibilities=[Visibility.PUBLIC])
    return _calendar_response([vevent(event) for event in events], name=community.name)


@cache_control(private=True, max_age=300)
def community_private_feed(request, slug, token):
    """Every event of the community that the link's owner may see today (a calendar app
    fetches it without signing in: the token is the key)."""
    link = selectors.calendar_link(token=token, community_slug=slug)
    if link is None:
        raise Http404
    access = community_rules.access_for_slug(link.user, slug)
    if access is None or not community_rules.can_see_community(access):
        raise Http404
    events = selectors.feed_events(
        community=access.community, visibilities=rules.visibilities_for(access)
    )
    return _calendar_response([vevent(event) for event in events], name=access.community.name)


@cache_control(private=True, max_age=300)
def member_feed(request, token):
    """A person's own feed: the events they registered for, with reminders."""
    link = selectors.calendar_link(token=token)
    if link is None:
        raise Http404
    entries = [
        vevent(
            registration.event,
            with_link=registration.is_confirmed,
            alarms=REMINDERS,
            tentative=registration.is_waiting,
        )
        for registration in selectors.feed_registrations(user=link.user)
    ]
    return _calendar_response(entries, name=_("My events"))


@login_required
@require_http_methods(["GET", "POST"])
def calendars(request):
    """Calendar subscriptions: your own feed, and one per community you belong to."""
    communities = selectors.calendar_communities(user=request.user)
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        community = None
        if scope != "personal":
            community = next((c for c in communities if str(c.pk) == scope), None)
            if community is None:  # not one of yours: nothing to make or revoke
                raise Http404
        if request.POST.get("action") == "renew":
            services.calendar_token_renew(user=request.user, community=community)
            messages.success(request, _("A new link is ready. The old one no longer works."))
        else:
            services.calendar_token_get(user=request.user, community=community)
        return redirect("events:calendars")
    links = selectors.calendar_links(user=request.user)
    return render(
        request,
        "events/calendars.html",
        {
            "personal": links.get(None),
            "communities": [(community, links.get(community.pk)) for community in communities],
        },
    )
