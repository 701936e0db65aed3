from django.core.paginator import Paginator
from django.shortcuts import render

from communities.selectors import community_list_public

COMMUNITIES_PER_PAGE = 12


def home(request):
    page = Paginator(community_list_public(), COMMUNITIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "communities/home.html", {"page": page})
