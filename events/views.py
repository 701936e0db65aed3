from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from communities import rules as community_rules
from communities import selectors as community_selectors
from communities.decorators import community_view
from communities.htmx import page_or_partial
from communities.models import Community, Membership
from copsite.forms import add_service_errors
from events import rules, selectors, services
from events.decorators import event_view
from events.forms import (
    ActionItemForm,
    AgendaSegmentForm,
    AssigneeForm,
    ChecklistItemForm,
    EventFilterForm,
    EventForm,
    FeedbackForm,
    FollowUpForm,
    MaterialForm,
)
from events.ical import REMINDERS, calendar_bytes, event_ics, vevent
from events.models import (
    ActionItem,
    AgendaSegment,
    CalendarToken,
    ChecklistItem,
    Event,
    Feedback,
    Material,
    Registration,
    Visibility,
)

EVENTS_PER_PAGE = 20


def _is_authenticated(access) -> bool:
    return access.is_authenticated


@community_view()
@vary_on_headers("HX-Request")
def event_list(request, community, access):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
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
    capacity_cut = None
    if request.method == "POST" and form.is_valid():
        try:
            moved = [int(value) for value in request.POST.getlist("moved_to_waiting")]
        except ValueError:
            moved = []
        try:
            services.event_update(
                event=Event.objects.get(pk=event.pk),
                languages=form.cleaned_data["languages"],
                moved_to_waiting=moved,
                **form.event_fields(),
            )
        except ValidationError as error:
            if _is_capacity_cut(error):
                capacity_cut = services.capacity_cut(
                    event=event, capacity=form.cleaned_data["capacity"]
                )
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
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
        },
    )


def _is_capacity_cut(error: ValidationError) -> bool:
    return any(
        getattr(item, "code", None) == "capacity_cut"
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
        and Feedback.objects.filter(event=event, user=request.user).exists(),
        "show_link": bool(registration and registration.is_confirmed) or rules.can_organise(access),
    }


@event_view(_is_authenticated)
@require_POST
def register(request, community, access, event):
    try:
        registration = services.event_register(event=event, user=request.user, access=access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
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


@event_view(_is_authenticated)
@require_http_methods(["GET", "POST"])
def unregister(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    if registration is None:
        messages.info(request, _("You are not registered for this event."))
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    if request.method == "POST":
        services.registration_cancel(registration=registration)
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
        services.event_cancel(event=event)
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
    return render(
        request,
        "events/roster.html",
        {
            "community": community,
            "access": access,
            "event": event,
            "roster": selectors.event_roster(event=event),
        },
    )


@event_view()
def event_ics_download(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    with_link = bool(registration and registration.is_confirmed) or rules.can_organise(access)
    response = HttpResponse(event_ics(event, with_link=with_link), content_type="text/calendar")
    filename = f"{slugify(event.title)[:50] or 'event'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _agenda_response(request, community, access, event, form=None):
    context = {
        "community": community,
        "access": access,
        "event": event,
        "agenda": selectors.agenda_summary(event=event),
        "form": form or AgendaSegmentForm(),
    }
    return render(request, page_or_partial(request, "events/agenda.html", "agenda-editor"), context)


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def agenda(request, community, access, event):
    """The agenda editor: add, reorder and remove segments, with the 75/25 bar."""
    form = AgendaSegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_add(event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect("events:agenda", slug=community.slug, pk=event.pk)
            form = None  # a fresh form for the next segment
    return _agenda_response(request, community, access, event, form)


@event_view(rules.can_organise)
@require_POST
def agenda_move(request, community, access, event, segment):
    segment = get_object_or_404(AgendaSegment, pk=segment, event=event)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.agenda_move(segment=segment, offset=offset)
    if not request.htmx:
        return redirect("events:agenda", slug=community.slug, pk=event.pk)
    return _agenda_response(request, community, access, event)


@event_view(rules.can_organise)
@require_POST
def agenda_remove(request, community, access, event, segment):
    segment = get_object_or_404(AgendaSegment, pk=segment, event=event)
    services.agenda_remove(segment=segment)
    if not request.htmx:
        return redirect("events:agenda", slug=community.slug, pk=event.pk)
    return _agenda_response(request, community, access, event)


def _checklist_response(request, community, access, event, *, form=None, errors=None):
    phases = selectors.checklist_for(event=event)
    for phase in phases:
        for item in phase.items:
            item.assign_errors, item.assign_typed = (errors or {}).get(item.pk, ([], ""))
    context = {
        "community": community,
        "access": access,
        "event": event,
        "phases": phases,
        "form": form or ChecklistItemForm(),
        "suggestions": community_selectors.member_suggestions(community=community),
        "can_organise": rules.can_organise(access),
    }
    return render(request, page_or_partial(request, "events/checklist.html", "checklist"), context)


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def checklist(request, community, access, event):
    """Before, during and after: the tasks around an event, with who does them and when."""
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_add(event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect("events:checklist", slug=community.slug, pk=event.pk)
            form = None
    return _checklist_response(request, community, access, event, form=form)


def _item_for(access, event, item_id: int, *, assignee_may: bool = False) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem.objects.select_related("event"), pk=item_id, event=event)
    if rules.can_organise(access) or (assignee_may and item.assignee_id == access.user.pk):
        return item
    raise PermissionDenied


@event_view(_is_authenticated)
@require_POST
def checklist_done(request, community, access, event, item):
    """Organisers, and the person an item is assigned to, tick it."""
    item = _item_for(access, event, item, assignee_may=True)
    services.checklist_item_set_done(
        item=item, done=request.POST.get("done") == "1", by=request.user
    )
    if not rules.can_organise(access):
        messages.success(request, _("Marked done. Thank you."))
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    if not request.htmx:
        return redirect("events:checklist", slug=community.slug, pk=event.pk)
    return _checklist_response(request, community, access, event)


@event_view(rules.can_organise)
@require_POST
def checklist_assign(request, community, access, event, item):
    item = _item_for(access, event, item)
    form = AssigneeForm(request.POST)
    errors = {}
    typed = request.POST.get("assignee", "")
    if form.is_valid():
        try:
            services.checklist_item_assign(item=item, assignee=form.cleaned_data["assignee"])
        except ValidationError as error:
            errors[item.pk] = (error.messages, typed)
    else:
        errors[item.pk] = (form.errors["assignee"], typed)
    if not request.htmx and not errors:
        return redirect("events:checklist", slug=community.slug, pk=event.pk)
    return _checklist_response(request, community, access, event, errors=errors)


@event_view(rules.can_organise)
@require_POST
def checklist_remove(request, community, access, event, item):
    services.checklist_item_remove(item=_item_for(access, event, item))
    if not request.htmx:
        return redirect("events:checklist", slug=community.slug, pk=event.pk)
    return _checklist_response(request, community, access, event)


CHECK_IN_PER_PAGE = 50


@event_view(rules.can_organise)
@vary_on_headers("HX-Request")
def check_in(request, community, access, event):
    """On a phone at the door: search, then one tap per person."""
    search = request.GET.get("q", "")[:100]
    page = Paginator(
        selectors.check_in_list(event=event, search=search), CHECK_IN_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "access": access,
        "event": event,
        "page": page,
        "search": search,
        "attendance": selectors.attendance(event=event),
    }
    return render(
        request, page_or_partial(request, "events/check_in.html", "check-in-list"), context
    )


@event_view(rules.can_organise)
@require_POST
def check_in_toggle(request, community, access, event, registration):
    registration = get_object_or_404(
        Registration.objects.select_related("user"),
        pk=registration,
        event=event,
        status__in=Registration.ACTIVE_STATUSES,
    )
    registration.event = event
    services.registration_check_in(
        registration=registration, present=request.POST.get("present") == "1"
    )
    if not request.htmx:
        return redirect("events:check_in", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/check_in.html#check-in-row",
        {
            "community": community,
            "event": event,
            "registration": registration,
            "attendance": selectors.attendance(event=event),
            "oob_counter": True,
        },
    )


def _follow_up_page(request, community, access, event, **forms_given):
    """The organisers' follow-up page; forms with errors come in `forms_given`."""
    follow_up = selectors.follow_up_of(event=event)
    context = {
        "community": community,
        "access": access,
        "event": event,
        "follow_up_form": forms_given.get("follow_up_form") or FollowUpForm(instance=follow_up),
        "material_form": forms_given.get("material_form")
        or MaterialForm(initial={"visibility": event.visibility}),
        "action_form": forms_given.get("action_form") or ActionItemForm(),
        "materials": selectors.materials_for(event=event, access=access),
        "action_items": selectors.action_items_for(event=event),
        "feedback": selectors.feedback_summary(event=event),
        "suggestions": community_selectors.member_suggestions(community=community),
    }
    return render(request, "events/follow_up.html", context)


def _back_to_follow_up(community, event, anchor: str = ""):
    url = reverse("events:follow_up", kwargs={"slug": community.slug, "pk": event.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


@event_view(rules.can_organise)
@require_http_methods(["GET", "POST"])
def follow_up(request, community, access, event):
    """After the event: notes, the after-action review, materials, action items, and what
    attendees said."""
    if request.method == "POST":
        form = FollowUpForm(request.POST, instance=selectors.follow_up_of(event=event))
        if form.is_valid():
            services.follow_up_save(event=event, by=request.user, **form.cleaned_data)
            messages.success(request, _("Notes and review saved."))
            return _back_to_follow_up(community, event)
        return _follow_up_page(request, community, access, event, follow_up_form=form)
    return _follow_up_page(request, community, access, event)


@event_view(rules.can_organise)
@require_POST
def material_add(request, community, access, event):
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.material_add(
                event=event, title=data["title"], url=data["url"], upload=data["file"],
                visibility=data["visibility"], by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Material added."))
            return _back_to_follow_up(community, event, "materials")
    return _follow_up_page(request, community, access, event, material_form=form)


@event_view()
def material_download(request, community, access, event, material):
    material = get_object_or_404(Material, pk=material, event=event)
    if not rules.can_see_at(access, material.visibility):
        raise Http404
    if material.url:
        return redirect(material.url)
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.filename)


@event_view(rules.can_organise)
@require_POST
def material_remove(request, community, access, event, material):
    services.material_remove(material=get_object_or_404(Material, pk=material, event=event))
    messages.success(request, _("Material removed."))
    return _back_to_follow_up(community, event, "materials")


@event_view(rules.can_organise)
@require_POST
def action_add(request, community, access, event):
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_add(event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action item added."))
            return _back_to_follow_up(community, event, "actions")
    return _follow_up_page(request, community, access, event, action_form=form)


@event_view(_is_authenticated)
@require_POST
def action_done(request, community, access, event, action):
    """Organisers, and the owner of an action item, mark it done."""
    item = get_object_or_404(ActionItem, pk=action, event=event)
    if not (rules.can_organise(access) or item.owner_id == request.user.pk):
        raise PermissionDenied
    services.action_item_set_done(item=item, done=request.POST.get("done") == "1")
    if rules.can_organise(access):
        return _back_to_follow_up(community, event, "actions")
    return redirect("events:detail", slug=community.slug, pk=event.pk)


@event_view(rules.can_organise)
@require_POST
def action_remove(request, community, access, event, action):
    services.action_item_remove(item=get_object_or_404(ActionItem, pk=action, event=event))
    return _back_to_follow_up(community, event, "actions")


@event_view(_is_authenticated)
@require_http_methods(["GET", "POST"])
def feedback(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    refusal = rules.feedback_refusal(access, event, registration)
    if refusal:
        messages.info(request, refusal)
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    existing = Feedback.objects.filter(event=event, user=request.user).first()
    form = FeedbackForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(event=event, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the organisers will read it."))
            return redirect("events:detail", slug=community.slug, pk=event.pk)
    return render(
        request,
        "events/feedback.html",
        {
            "community": community,
            "access": access,
            "event": event,
            "form": form,
            "existing": existing,
        },
    )


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
    link = (
        CalendarToken.objects.filter(token=token, revoked_at__isnull=True, community__slug=slug)
        .select_related("user")
        .first()
    )
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
    link = (
        CalendarToken.objects.filter(token=token, revoked_at__isnull=True, community__isnull=True)
        .select_related("user")
        .first()
    )
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
    communities = list(
        Community.objects.filter(
            memberships__user=request.user, memberships__status=Membership.Status.ACTIVE
        ).order_by("name")
    )
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
    links = {
        link.community_id: link
        for link in CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True)
    }
    return render(
        request,
        "events/calendars.html",
        {
            "personal": links.get(None),
            "communities": [(community, links.get(community.pk)) for community in communities],
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
