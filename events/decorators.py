from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.translation import gettext as _

from communities import rules as community_rules
from communities.decorators import community_view
from copsite.views import Refusal
from events import rules, selectors


def event_view(predicate=community_rules.can_see_community):
    """`community_view` plus the event at `<pk>`, for every event page.

    An event of another community answers 404. One this person may not see answers a
    sign-in redirect to visitors (the link in an email works once they sign in), a 403 that
    says why to an external member opening an internal-only event, and 404 to anyone else.
    The view receives `(request, community, access, event, ...)`.
    """

    def decorator(view):
        # The event is read with the community and the person's standing: one statement.
        @community_view(predicate, object_columns=selectors.EVENT_COLUMNS)
        @wraps(view)
        def wrapped(request, community, access, event, *args, **kwargs):
            if event is None:
                raise Http404
            if not rules.can_see_event(access, event):
                if rules.is_external_member_of_internal_event(access, event):
                    raise Refusal(
                        _(
                            "This event is for internal members only (staff of the host "
                            "organisation). You are an external member of this community."
                        )
                    )
                if not access.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise Http404
            return view(request, community, access, event, *args, **kwargs)

        return wrapped

    return decorator
