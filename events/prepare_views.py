"""Preparing an event: the agenda editor and the before/during/after checklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities import selectors as community_selectors
from communities.htmx import page_or_partial
from copsite.forms import add_service_errors
from events import rules, selectors, services
from events.decorators import event_view
from events.forms import (
    AgendaSegmentForm,
    AssigneeForm,
    ChecklistItemForm,
)
from events.models import (
    AgendaSegment,
    ChecklistItem,
)


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


@event_view(rules.is_signed_in)
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
