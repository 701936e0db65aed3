from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities import rules
from communities.decorators import community_view
from copsite.views import message_refusal
from members import selectors, waves
from members.forms import CsvInviteesForm, PasteInviteesForm, RequestsInviteesForm, WaveForm
from members.invitations import parse_csv, parse_pasted
from members.models import ChecklistTick, Invitation, Wave


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def wave_list(request, community, access):
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wave = waves.wave_create(
            community=community,
            name=data["name"],
            planned_date=data["planned_date"],
            welcome_message=data["welcome_message"],
            extra_checklist=data["extra_checklist"].splitlines(),
            created_by=request.user,
        )
        messages.success(request, _("Wave created. Now add its invitees."))
        return redirect("members_wave", slug=community.slug, pk=wave.pk)
    return render(
        request,
        "members/waves.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "waves": selectors.wave_list(community=community),
        },
    )


def _wave(community, pk) -> Wave:
    return get_object_or_404(Wave, community=community, pk=pk)


def _wave_page(request, community, access, wave, **forms):
    context = {
        "community": community,
        "access": access,
        "wave": wave,
        "funnel": selectors.wave_funnel(wave=wave),
        "invitations": selectors.wave_invitations(wave=wave),
        "progress": selectors.wave_member_progress(wave=wave),
        "sending": selectors.wave_send_progress(wave=wave),
        "paste_form": forms.get("paste_form") or PasteInviteesForm(),
        "csv_form": forms.get("csv_form") or CsvInviteesForm(),
        "requests_form": forms.get("requests_form") or RequestsInviteesForm(community=community),
        "report": forms.get("report"),
        "problems": forms.get("problems", []),
    }
    return render(request, "members/wave.html", context)


@community_view(rules.can_manage)
def wave_detail(request, community, access, pk):
    return _wave_page(request, community, access, _wave(community, pk))


@community_view(rules.can_manage)
@require_POST
def wave_add(request, community, access, pk):
    """Adds invitees from pasted addresses, a CSV file or pending requests; the page comes
    back with what went in and what did not, and why."""
    wave = _wave(community, pk)
    source = request.POST.get("source")
    forms = {}
    parsed = None
    if source == "paste":
        form = forms["paste_form"] = PasteInviteesForm(request.POST)
        if form.is_valid():
            parsed = parse_pasted(form.cleaned_data["addresses"])
    elif source == "csv":
        form = forms["csv_form"] = CsvInviteesForm(request.POST, request.FILES)
        if form.is_valid():
            parsed = parse_csv(form.cleaned_data["file"])
    elif source == "requests":
        form = forms["requests_form"] = RequestsInviteesForm(request.POST, community=community)
        if form.is_valid():
            chosen = [form.memberships[pk] for pk in form.cleaned_data["requests"]]
            forms["report"] = waves.invitations_from_requests(wave=wave, memberships=chosen)
    else:
        raise Http404
    if parsed is not None:
        forms["problems"] = parsed.problems
        try:
            forms["report"] = waves.invitations_add(wave=wave, invitees=parsed.invitees)
        except ValidationError as error:
            forms["problems"] = [*parsed.problems, ("", " ".join(error.messages))]
    return _wave_page(request, community, access, wave, **forms)


@community_view(rules.can_manage)
@require_POST
def wave_send(request, community, access, pk):
    wave = _wave(community, pk)
    try:
        count = waves.wave_send(wave=wave)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("%(count)s invitations are on their way.") % {"count": count})
    return redirect("members_wave", slug=community.slug, pk=wave.pk)


@community_view(rules.can_manage)
def wave_progress(request, community, access, pk):
    """The sending progress, polled by the wave page (htmx) while the worker sends."""
    wave = _wave(community, pk)
    return render(
        request,
        "members/wave.html#send-progress",
        {
            "community": community,
            "wave": wave,
            "invitations": selectors.wave_invitations(wave=wave),
            "sending": selectors.wave_send_progress(wave=wave),
        },
    )


def _invitation(community, pk) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("wave"), community=community, pk=pk)


@community_view(rules.can_manage)
@require_POST
def invitation_resend(request, community, access, pk):
    invitation = _invitation(community, pk)
    try:
        waves.invitation_send(invitation=invitation)
    except ValidationError as error:  # accepted or revoked meanwhile
        message_refusal(request, error)
    else:
        messages.success(
            request,
            _("A new link went to %(email)s; the previous one no longer works.")
            % {"email": invitation.email},
        )
    return _back_to_wave(community, invitation)


@community_view(rules.can_manage)
@require_POST
def invitation_revoke(request, community, access, pk):
    invitation = _invitation(community, pk)
    try:
        waves.invitation_revoke(invitation=invitation)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(
            request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
        )
    return _back_to_wave(community, invitation)


def _back_to_wave(community, invitation):
    if invitation.wave_id:
        return redirect("members_wave", slug=community.slug, pk=invitation.wave_id)
    return redirect("members_waves", slug=community.slug)


@require_http_methods(["GET", "POST"])
def invitation_open(request, token):
    """The link in the email. Signed out: sign up (the address is known to be theirs, so no
    verification email) or sign in, then back here. Signed in: accept."""
    invitation = waves.invitation_for_token(token)
    problem = waves.invitation_problem(invitation)
    context = {"invitation": invitation, "problem": problem, "token": token}
    if problem:
        return render(
            request, "members/invitation.html", context, status=410 if invitation else 404
        )
    if not request.user.is_authenticated:
        from allauth.account.adapter import get_adapter  # noqa: PLC0415

        # Following the emailed link proves the address: sign-up with it needs no verification.
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "members/invitation.html", context)
    if request.method == "POST":
        try:
            waves.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
            return render(request, "members/invitation.html", context, status=403)
        messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.community.name})
        return redirect("community_home", slug=invitation.community.slug)
    return render(request, "members/invitation.html", context)


@community_view(rules.is_member)
@require_POST
def checklist_tick(request, community, access, key):
    """A member ticks (or unticks) an item of their onboarding checklist."""
    onboarding = selectors.onboarding_for(membership=access.membership)
    manual = {item["key"] for item in onboarding[1] if item["manual"]} if onboarding else set()
    if key not in manual:
        raise Http404
    tick, created = ChecklistTick.objects.get_or_create(membership=access.membership, key=key)
    if not created:
        tick.delete()
    return redirect("community_home", slug=community.slug)
