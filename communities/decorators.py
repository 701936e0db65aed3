from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities import rules


def community_view(predicate=rules.can_see_community):
    """Resolves `<slug>` to the community and checks access once, for every community page.

    A community the viewer may not see answers 404 (a private one does not exist for them).
    A page they may not use answers a sign-in redirect to visitors and 403 to others. The
    view receives `(request, community, access, ...)`.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            access = rules.access_for_slug(request.user, slug)
            if access is None or not rules.can_see_community(access):
                raise Http404
            if not predicate(access):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, access.community, access, *args, **kwargs)

        return wrapped

    return decorator
