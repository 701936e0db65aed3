"""Events: lists, the event page, the form, registration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from communities import rules as community_rules
from communities.decorators import community_view
from communities.htmx import page_or_partial
from copsite.forms import add_service_errors
from copsite.views import message_refusal
from events import rules, selectors, services
from events.decorators import event_view
from events.forms import (
    EventFilterForm,
    EventForm,
)
from events.models import (
    Event,
)

EVENTS_PER_PAGE = 20
ROSTER_PER_PAGE = 100


@community_view()
@vary_on_headers("HX-Request")
def event_list(request, community, access):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    form = EventFilterForm(
        request.GET or None, languages=selectors.event_languages_in_use(access=access)
    )
    filters = form.filters()
    events = selectors.event_list(
        access=access,
        when=when,
        format=filters.get("format", ""),
        mode=filters.get("mode", ""),
        language=filters.get("language", ""),
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "access": access,
        "page": page,
        "when": when,
        "form": form,
        "filtered": any(filters.values()),
        "can_organise": rules.can_organise(access),
    }
    return render(request, page_or_partial(request, "events/list.html", "event-results"), context)


@community_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def event_create(request, community, access):
    form = EventForm(request.POST or None, default_time_zone=request.user.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                community=community,
                creator=request.user,
                languages=form.cleaned_data["languages"],
                **form.event_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:detail", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/form.html",
        {"community": community, "access": access, "form": form, "event": None},
    )


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def event_edit(request, community, access, event):
    form = EventForm(request.POST or None, instance=event)
    capacity_cut = visibility_cut = None
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.event_update(
                event=event,
                languages=form.cleaned_data["languages"],
                moved_to_waiting=_posted_ids(request, "moved_to_waiting"),
                losing_place=_posted_ids(request, "losing_place"),
                **form.event_fields(),
            )[1]  # what moved: withdrawn, moved, promoted
        except ValidationError as error:
            if _asks_to_confirm(error):
                # What the save would take, to confirm: shown with the names, sent back as ids.
                visibility_cut, capacity_cut = services.event_update_cuts(
                    event=event, **form.event_fields()
                )
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            promoted = [registration for registration in changed if registration.is_confirmed]
            if promoted:  # a capacity raised, or places given up: told who moved up
                messages.info(
                    request,
                    ngettext(
                        "%(names)s got a seat from the waiting list and was emailed.",
                        "%(names)s got seats from the waiting list and were emailed.",
                        len(promoted),
                    )
                    % {"names": ", ".join(registration.user.name for registration in promoted)},
                )
            return redirect("events:detail", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/form.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "event": event,
            "capacity_cut": capacity_cut,
            "visibility_cut": visibility_cut,
        },
    )


def _posted_ids(request, name: str) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist(name)]
    except ValueError:
        return []


def _asks_to_confirm(error: ValidationError) -> bool:
    return any(
        getattr(item, "code", None) in ("capacity_cut", "visibility_cut")
        for items in getattr(error, "error_dict", {}).values()
        for item in items
    )


@event_view()
def event_detail(request, community, access, event):
    return render(request, "events/detail.html", _detail_context(request, access, event))


def _visible_notes(access, event: Event):
    follow_up = selectors.follow_up_of(event=event)
    if follow_up and follow_up.notes and rules.can_see_at(access, follow_up.notes_visibility):
        return follow_up.notes
    return ""


def _detail_context(request, access, event: Event) -> dict:
    registration = selectors.registration_for(event=event, user=request.user)
    return {
        "community": access.community,
        "access": access,
        "event": event,
        "seats": selectors.event_seats(event=event),
        "registration": registration,
        "waiting_position": (
            selectors.waiting_position(registration=registration)
            if registration and registration.is_waiting
            else None
        ),
        "refusal": None if registration else rules.registration_refusal(access, event),
        "can_organise": rules.can_organise(access),
        "agenda": selectors.agenda_summary(event=event),
        "ended": event.ends_at < timezone.now(),
        "started": event.starts_at <= timezone.now(),
        "checklist": selectors.checklist_progress(event=event)
        if rules.can_organise(access)
        else None,
        "my_tasks": selectors.my_tasks_for(event=event, user=request.user),
        "attendance": selectors.attendance(event=event) if rules.can_organise(access) else None,
        "materials": selectors.materials_for(event=event, access=access),
        "notes": _visible_notes(access, event),
        "action_items": (
            selectors.action_items_for(event=event)
            if community_rules.can_see_member_pages(access)
            else []
        ),
        "may_give_feedback": rules.feedback_refusal(access, event, registration) is None,
        "gave_feedback": registration is not None
        and selectors.feedback_of(event=event, user=request.user) is not None,
        "show_link": not event.is_cancelled
        and (bool(registration and registration.is_confirmed) or rules.can_organise(access)),
    }


@event_view(rules.is_signed_in)
@require_POST
def register(request, community, access, event):
    try:
        registration = services.event_register(event=event, user=request.user, access=access)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        if registration.is_confirmed:
            messages.success(request, _("You have a seat. A confirmation is on its way by email."))
        else:
            messages.info(
                request,
                _(
                    "The event is full: you are on the waiting list. "
                    "We email you if a seat frees up."
                ),
            )
    if request.htmx:
        return render(
            request,
            "events/detail.html#registration",
            _detail_context(request, access, event),
        )
    return redirect("events:detail", slug=community.slug, pk=event.pk)


@event_view(rules.is_signed_in)
@require_http_methods(["GET", "POST"])
def unregister(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    if registration is None:
        messages.info(request, _("You are not registered for this event."))
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    refusal = rules.cancel_refusal(event, timezone.now())
    if refusal:  # the confirmation would only lead to the service's refusal
        messages.error(request, refusal)
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/unregister.html",
        {
            "community": community,
            "event": event,
            "registration": registration,
            "cancel_url": event_url(event),
        },
    )


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def event_cancel(request, community, access, event):
    if request.method == "POST":
        try:
            services.event_cancel(event=event)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(request, _("The event is cancelled. Everyone registered is told."))
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/cancel.html",
        {
            "community": community,
            "event": event,
            "seats": selectors.event_seats(event=event),
            "cancel_url": event_url(event),
        },
    )


@event_view(rules.can_organise)
def roster(request, community, access, event):
    """Seats and waiting list side by side, each paged on its own (`?seats=`, `?waiting=`)."""
    rows = selectors.event_roster(event=event)
    return render(
        request,
        "events/roster.html",
        {
            "community": community,
            "access": access,
            "event": event,
            "seats": list_page(request, rows["confirmed"], "seats", ROSTER_PER_PAGE),
            "waiting": list_page(request, rows["waiting"], "waiting", ROSTER_PER_PAGE),
            "can_cancel": rules.cancel_refusal(event, timezone.now()) is None,
        },
    )


def list_page(request, rows, key: str, per_page: int) -> dict:
    """One list's page, at `?<key>=`, with the query strings of its neighbours (another list
    on the same screen keeps its own page)."""
    page = Paginator(rows, per_page).get_page(request.GET.get(key))

    def query(number: int):
        changed = request.GET.copy()
        changed[key] = number
        return changed

    return {
        "page": page,
        "previous_query": query(page.previous_page_number()) if page.has_previous() else None,
        "next_query": query(page.next_page_number()) if page.has_next() else None,
    }


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def registration_cancel(request, community, access, event, registration):
    """An organiser cancels someone's registration from the roster, after a confirmation."""
    registration = selectors.active_registration(event=event, pk=registration)
    if registration is None:
        raise Http404
    roster_url = reverse("events:roster", kwargs={"slug": community.slug, "pk": event.pk})
    refusal = rules.cancel_refusal(event, timezone.now())
    if refusal:  # the confirmation would only lead to the service's refusal
        messages.error(request, refusal)
        return redirect(roster_url)
    if request.method == "POST":
        try:
            promoted = services.registration_cancel(registration=registration, by=request.user)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(name)s's registration is cancelled; they are told by email.")
                % {"name": registration.user.name},
            )
            if promoted:
                messages.info(
                    request,
                    _("From the waiting list to a seat: %(names)s.")
                    % {"names": ", ".join(person.user.name for person in promoted)},
                )
        return redirect(roster_url)
    return render(
        request,
        "events/registration_cancel.html",
        {
            "community": community,
            "event": event,
            "registration": registration,
            "cancel_url": roster_url,
        },
    )


@login_required
def my_events(request):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    registrations = selectors.my_registrations(user=request.user, when=when)
    page = Paginator(registrations, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/mine.html", {"page": page, "when": when})


def event_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"slug": event.community.slug, "pk": event.pk})
