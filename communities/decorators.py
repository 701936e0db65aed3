from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities import rules
from copsite.rows import Columns


def community_view(predicate=rules.can_see_community, *, object_columns: Columns | None = None):
    """Resolves `<slug>` to the community and checks access once, for every community page.

    A community the viewer may not see answers 404 (a private one does not exist for them).
    A page they may not use answers a sign-in redirect to visitors and 403 to others. The
    view receives `(request, community, access, ...)`.

    `object_columns`: for pages about one object of the community at `<pk>` (a model with a
    `community` key: events' pages use it). The object is read by the same statement as the
    access, and the view receives it, or None if the community has none of that key, in
    place of `pk`: `(request, community, access, object_or_none, ...)`.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            found = ()
            if object_columns is None:
                access = rules.access_for_slug(request.user, slug)
            else:
                access, loaded = rules.access_and_object_for_slug(
                    request.user, slug, columns=object_columns, pk=kwargs.pop("pk")
                )
                found = (loaded,)
            if access is None or not rules.can_see_community(access):
                raise Http404
            if not predicate(access):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, access.community, access, *found, *args, **kwargs)

        return wrapped

    return decorator
