from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from communities import rules, selectors, services
from communities.decorators import community_view
from communities.extensions import five_musts, home_panels
from communities.forms import (
    CanvasSectionForm,
    CommunityCreateForm,
    CommunitySearchForm,
    CommunitySettingsForm,
    InternalForm,
    JoinForm,
    PeopleSearchForm,
    RequestDecisionForm,
    RoleAssignForm,
    RoleBackupForm,
    TierForm,
)
from communities.htmx import page_or_partial
from communities.models import Community, Membership, RoleAssignment
from copsite.forms import add_service_errors
from copsite.views import message_refusal

COMMUNITIES_PER_PAGE = 12
PEOPLE_PER_PAGE = 50


@vary_on_headers("HX-Request")
def home(request):
    form = CommunitySearchForm(
        request.GET or None, languages=selectors.community_languages_in_use()
    )
    search = language = ""
    if form.is_valid():
        search, language = form.cleaned_data["q"].strip(), form.cleaned_data["language"]
    communities = selectors.community_list(user=request.user, search=search, language=language)
    page = Paginator(communities, COMMUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "filtered": bool(search or language)}
    return render(
        request, page_or_partial(request, "communities/home.html", "community-list"), context
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_create(request):
    form = CommunityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is ready. Start with the canvas: why the community exists, for whom, "
                    "and how it works."
                )
                % {"name": community.name},
            )
            return redirect("community_canvas", slug=community.slug)
    return render(request, "communities/create.html", {"form": form})


@community_view()
def community_public(request, community, access):
    join_form = JoinForm(community=community, invited=_invited(access)) if access.can_join else None
    return _render_public(request, community, access, join_form)


def _invited(access) -> bool:
    return access.membership is not None and access.membership.status == Membership.Status.INVITED


def _render_public(request, community, access, join_form):
    return render(
        request,
        "communities/public.html",
        {"community": community, "access": access, "join_form": join_form},
    )


@community_view()
@require_POST
def community_join(request, community, access):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={community_url(community)}")
    form = JoinForm(request.POST, community=community, invited=_invited(access))
    if not form.is_valid():
        return _render_public(request, community, access, form)
    try:
        membership = services.membership_join(
            community=community,
            user=request.user,
            acquisition_source=form.cleaned_data.get("acquisition_source", ""),
            motivation=form.cleaned_data.get("motivation", ""),
        )
    except ValidationError as error:
        message_refusal(request, error)
        return redirect(community_url(community))
    if membership.status == Membership.Status.REQUESTED:
        messages.info(request, _("Your request has been sent to the Core Team."))
        return redirect(community_url(community))
    messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
    return redirect("community_home", slug=community.slug)


def community_url(community: Community) -> str:
    return reverse("community_public", kwargs={"slug": community.slug})


@community_view(rules.is_member)
@require_http_methods(["GET", "POST"])
def community_leave(request, community, access):
    if request.method == "POST":
        try:
            services.membership_leave(membership=access.membership)
        except ValidationError as error:
            message_refusal(request, error)
            return redirect("community_leave", slug=community.slug)
        messages.success(request, _("You have left %(name)s.") % {"name": community.name})
        return redirect("home")
    return render(
        request,
        "communities/leave.html",
        {
            "community": community,
            "access": access,
            "cancel_url": reverse("community_home", kwargs={"slug": community.slug}),
        },
    )


@community_view(rules.can_see_member_pages)
def community_home(request, community, access):
    panels = []
    for panel in home_panels():
        panel_context = panel.get_context(request, community, access)
        if panel_context is not None:
            panels.append((panel.template_name, panel_context))
    return render(
        request,
        "communities/member_home.html",
        {"community": community, "access": access, "panels": panels},
    )


SECTION_TITLES = {
    "purpose": (gettext_lazy("Purpose"), gettext_lazy("What we talk about")),
    "people": (gettext_lazy("People"), gettext_lazy("Who it is for")),
    "practice": (gettext_lazy("Practice"), gettext_lazy("How we work")),
    "value_to_members": (gettext_lazy("Value to members"), gettext_lazy("What members gain")),
    "value_to_organisation": (
        gettext_lazy("Value to the organisation"),
        gettext_lazy("What the organisation gains"),
    ),
}


def _canvas_section(community, section):
    title, subtitle = SECTION_TITLES[section]
    return {
        "key": section,
        "title": title,
        "subtitle": subtitle,
        "text": getattr(community, section),
        "help": Community._meta.get_field(section).help_text,
    }


@community_view(rules.can_see_member_pages)
def community_canvas(request, community, access):
    sections = [_canvas_section(community, key) for key in services.CANVAS_SECTIONS]
    return render(
        request,
        "communities/canvas.html",
        {"community": community, "access": access, "sections": sections},
    )


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def community_canvas_edit(request, community, access, section):
    if section not in services.CANVAS_SECTIONS:
        raise Http404
    initial = {"text": getattr(community, section)}
    form = CanvasSectionForm(request.POST or None, initial=initial)
    context = {"community": community, "access": access, "form": form}
    if request.method == "POST" and form.is_valid():
        services.community_update_canvas(
            community=community, section=section, text=form.cleaned_data["text"]
        )
        if request.htmx and not request.htmx.history_restore_request:
            context["section"] = _canvas_section(community, section)
            return render(request, "communities/canvas.html#canvas-section", context)
        messages.success(request, _("Canvas saved."))
        return redirect(f"{reverse('community_canvas', kwargs={'slug': community.slug})}#{section}")
    context["section"] = _canvas_section(community, section)
    template = page_or_partial(request, "communities/canvas_edit.html", "canvas-section-form")
    return render(request, template, context)


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def community_settings(request, community, access):
    form = CommunitySettingsForm(
        request.POST or None,
        instance=Community.objects.get(pk=community.pk),
        initial={"languages": community.language_codes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.community_update_settings(community=community, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("community_settings", slug=community.slug)
    return render(
        request,
        "communities/settings.html",
        {"community": community, "access": access, "form": form, "musts": five_musts(community)},
    )


def _roles_context(community, access, form=None):
    assignments = selectors.role_assignments(community=community)
    return {
        "community": community,
        "access": access,
        "assignments": assignments,
        "warnings": selectors.role_warnings(community=community, assignments=assignments),
        "offers": selectors.succession_offers(assignments=assignments),
        "form": form or RoleAssignForm(),
        "suggestions": selectors.member_suggestions(community=community)
        if access.can_manage
        else [],
    }


@community_view(rules.can_see_member_pages)
def community_roles(request, community, access):
    return render(request, "communities/roles.html", _roles_context(community, access))


@community_view(rules.can_manage)
@require_POST
def community_role_assign(request, community, access):
    form = RoleAssignForm(request.POST)
    if form.is_valid():
        try:
            assignment = services.role_assign(community=community, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": assignment.holder.name, "role": assignment.get_role_display()},
            )
            return redirect("community_roles", slug=community.slug)
    return render(request, "communities/roles.html", _roles_context(community, access, form))


def _assignment(community, pk) -> RoleAssignment:
    # Scoped to the community in the URL: another community's role answers 404.
    return get_object_or_404(
        RoleAssignment.objects.select_related("holder", "backup"), community=community, pk=pk
    )


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def community_role_edit(request, community, access, pk):
    assignment = _assignment(community, pk)
    form = RoleBackupForm(
        request.POST or None,
        initial={"backup": assignment.backup.email if assignment.backup else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_set_backup(assignment=assignment, backup=form.cleaned_data["backup"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Backup saved."))
            return redirect("community_roles", slug=community.slug)
    return render(
        request,
        "communities/role_edit.html",
        {
            "community": community,
            "access": access,
            "assignment": assignment,
            "form": form,
            "suggestions": selectors.member_suggestions(community=community),
        },
    )


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def community_role_remove(request, community, access, pk):
    assignment = _assignment(community, pk)
    if request.method == "POST":
        services.role_unassign(assignment=assignment)
        messages.success(
            request,
            _("%(person)s no longer holds %(role)s.")
            % {"person": assignment.holder.name, "role": assignment.get_role_display()},
        )
        return redirect("community_roles", slug=community.slug)
    return render(
        request,
        "communities/role_remove.html",
        {
            "community": community,
            "access": access,
            "assignment": assignment,
            "cancel_url": reverse("community_roles", kwargs={"slug": community.slug}),
        },
    )


@community_view(rules.can_manage)
@require_POST
def community_role_hand_over(request, community, access, pk):
    assignment = _assignment(community, pk)
    try:
        assignment = services.role_hand_over(assignment=assignment)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s. Choose a backup for them.")
            % {"person": assignment.holder.name, "role": assignment.get_role_display()},
        )
    return redirect("community_roles", slug=community.slug)


@community_view(rules.can_manage)
def community_people(request, community, access):
    form = PeopleSearchForm(request.GET or None)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(
        selectors.people_list(community=community, search=search), PEOPLE_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/people.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "page": page,
            "requests": selectors.join_requests(community=community)[:PEOPLE_PER_PAGE],
            "tier_counts": selectors.community_tier_counts(community=community),
            "tiers": Membership.Tier.choices,
        },
    )


def _membership(community, pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), community=community, pk=pk)


@community_view(rules.can_manage)
@require_POST
def community_person_tier(request, community, access, pk):
    membership = _membership(community, pk)
    form = TierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose member, Core Group or Core Team."))
    else:
        try:
            services.membership_set_tier(membership=membership, tier=form.cleaned_data["tier"])
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(person)s is now in the %(tier)s tier.")
                % {"person": membership.user.name, "tier": membership.get_tier_display()},
            )
    return redirect("community_people", slug=community.slug)


@community_view(rules.can_manage)
@require_POST
def community_person_request(request, community, access, pk):
    membership = _membership(community, pk)
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("community_people", slug=community.slug)
    decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
    try:
        if decision == "approve":
            services.membership_approve(membership=membership, message=message)
            messages.success(
                request, _("%(person)s has joined.") % {"person": membership.user.name}
            )
        else:
            services.membership_decline(membership=membership, message=message)
            messages.info(
                request, _("Request from %(person)s declined.") % {"person": membership.user.name}
            )
    except ValidationError as error:
        message_refusal(request, error)
    return redirect("community_people", slug=community.slug)


@community_view(rules.can_manage)
@require_POST
def community_person_internal(request, community, access, pk):
    membership = _membership(community, pk)
    form = InternalForm(request.POST)
    form.is_valid()  # a missing box means external, as with any checkbox
    services.membership_set_internal(
        membership=membership, is_internal=form.cleaned_data.get("is_internal", False)
    )
    return redirect("community_people", slug=community.slug)


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def community_person_remove(request, community, access, pk):
    membership = _membership(community, pk)
    if not membership.is_active:
        raise Http404
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(person)s has been removed from the community.")
                % {"person": membership.user.name},
            )
        return redirect("community_people", slug=community.slug)
    return render(
        request,
        "communities/person_remove.html",
        {
            "community": community,
            "access": access,
            "membership": membership,
            "cancel_url": reverse("community_people", kwargs={"slug": community.slug}),
        },
    )
