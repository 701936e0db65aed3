"""During and after an event: check-in, follow-up (notes, review, materials, action items)
and feedback."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from communities import selectors as community_selectors
from communities.htmx import page_or_partial
from copsite.forms import add_service_errors
from copsite.views import message_refusal
from events import rules, selectors, services
from events.decorators import event_view
from events.forms import (
    ActionItemForm,
    FeedbackForm,
    FollowUpForm,
    MaterialForm,
)
from events.models import (
    ActionItem,
    Material,
)
from events.views import list_page

CHECK_IN_PER_PAGE = 50
COMMENTS_PER_PAGE = 50


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
        "closed": rules.check_in_refusal(event, timezone.now()),
    }
    return render(
        request, page_or_partial(request, "events/check_in.html", "check-in-list"), context
    )


@event_view(rules.can_organise)
@require_POST
def check_in_toggle(request, community, access, event, registration):
    registration = selectors.active_registration(event=event, pk=registration)
    if registration is None:
        raise Http404
    try:
        services.registration_check_in(
            registration=registration, present=request.POST.get("present") == "1"
        )
    except ValidationError as error:
        message_refusal(request, error)
        page = reverse("events:check_in", kwargs={"slug": community.slug, "pk": event.pk})
        return HttpResponseClientRedirect(page) if request.htmx else redirect(page)
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
            "closed": rules.check_in_refusal(event, timezone.now()),
            "oob_counter": True,
        },
    )


def _follow_up_page(request, community, access, event, **forms_given):
    """The organisers' follow-up page; forms with errors come in `forms_given`."""
    follow_up = selectors.follow_up_of(event=event)
    feedback = selectors.feedback_summary(event=event)
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
        "feedback": feedback,
        "comments": list_page(request, feedback.comments, "comments", COMMENTS_PER_PAGE),
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
        # Links are shown as they are on the page; this address never redirects, so it
        # cannot carry the site's name to another host.
        raise Http404
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


@event_view(rules.is_signed_in)
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


@event_view(rules.is_signed_in)
@require_http_methods(["GET", "POST"])
def feedback(request, community, access, event):
    registration = selectors.registration_for(event=event, user=request.user)
    refusal = rules.feedback_refusal(access, event, registration)
    if refusal:
        messages.info(request, refusal)
        return redirect("events:detail", slug=community.slug, pk=event.pk)
    existing = selectors.feedback_of(event=event, user=request.user)
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
