"""The Five Musts this app can judge from its own data: define value, decide roles."""

from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from communities.extensions import MustResult, MustState, register_must
from communities.models import Community, Membership, RoleAssignment
from communities.selectors import CORE_TEAM_SIZE, has_active_backup, role_assignments


@register_must("define_value")
def define_value(community: Community) -> MustResult:
    written = [bool(community.value_to_members), bool(community.value_to_organisation)]
    url = reverse("community_canvas", kwargs={"slug": community.slug})
    if all(written):
        return MustResult(MustState.MET, _("Value to members and to the organisation are written."))
    if any(written):
        missing = _("value to members") if not written[0] else _("value to the organisation")
        return MustResult(
            MustState.PARTLY,
            _("Still to write: %(missing)s.") % {"missing": missing},
            _("Complete the canvas"),
            url,
        )
    return MustResult(
        MustState.NOT_MET,
        _("Neither value is written yet."),
        _("Write the value on the canvas"),
        url,
    )


@register_must("roles")
def decide_roles(community: Community) -> MustResult:
    assignments = role_assignments(community=community)
    core_team = Membership.objects.core_team().filter(community=community).count()
    held_by_members = [a for a in assignments if a.holder_status == Membership.Status.ACTIVE]
    key_roles_held = {a.role for a in held_by_members} >= set(RoleAssignment.KEY_ROLES)
    unbacked = sorted(
        {
            str(a.get_role_display())
            for a in held_by_members
            if a.role in RoleAssignment.KEY_ROLES and not has_active_backup(a)
        }
    )
    backed_up = not unbacked
    team_ok = CORE_TEAM_SIZE[0] <= core_team <= CORE_TEAM_SIZE[1]
    url = reverse("community_roles", kwargs={"slug": community.slug})
    if key_roles_held and backed_up and team_ok:
        return MustResult(
            MustState.MET, _("Core Team in place; Leader and Manager assigned, with backups.")
        )
    missing = []
    if not team_ok:
        missing.append(_("a Core Team of 2 to 3"))
    if not key_roles_held:
        missing.append(_("a Community Leader and a Community Manager"))
    elif not backed_up:
        missing.append(_("a backup for %(roles)s") % {"roles": get_text_list(unbacked, _("and"))})
    state = MustState.PARTLY if key_roles_held or team_ok else MustState.NOT_MET
    return MustResult(
        state,
        _("Missing: %(missing)s.") % {"missing": ", ".join(str(item) for item in missing)},
        _("Assign roles"),
        url,
    )
