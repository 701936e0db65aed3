from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers

from communities import rules
from communities.decorators import community_view
from communities.htmx import page_or_partial
from communities.models import Membership
from members.csv_export import member_rows
from members.forms import DirectorySearchForm, directory_filters
from members.models import Profile
from members.pagination import CappedPaginator
from members.selectors import directory_cards, directory_export, directory_search

MEMBERS_PER_PAGE = 24


@community_view(rules.can_see_member_pages)
@vary_on_headers("HX-Request")
def directory(request, community, access):
    # Unknown values are dropped, not errors: a filter link someone shared still works.
    filters = directory_filters(request.GET)
    members = directory_search(
        community=community,
        query=filters.get("q", ""),
        country=filters.get("country", ""),
        language=filters.get("language", ""),
        tier=filters.get("tier", ""),
    )
    page = CappedPaginator(members, MEMBERS_PER_PAGE, rows=directory_cards()).get_page(
        request.GET.get("page")
    )
    template_name = page_or_partial(request, "members/directory.html", "directory-results")
    context = {
        "community": community,
        "access": access,
        "page": page,
        "filtered": any(filters.values()),
    }
    if "#" not in template_name:
        # The filter form is on the whole page only, not in the results typing refreshes.
        context["form"] = DirectorySearchForm(initial=filters)
    return render(request, template_name, context)


@community_view(rules.can_manage)
def directory_export_csv(request, community, access):
    filename = f"{community.slug}-members-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(
        member_rows(directory_export(community=community)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@community_view(rules.can_see_member_pages)
@cache_control(private=True, max_age=3600)
def member_photo(request, community, access, user_id):
    # Only photos of this community's active members, to people who may see its members.
    if not Membership.objects.active().filter(community=community, user_id=user_id).exists():
        raise Http404
    profile = get_object_or_404(Profile, user_id=user_id)
    if not profile.photo:
        raise Http404
    return FileResponse(profile.photo.open("rb"), content_type="image/jpeg")
