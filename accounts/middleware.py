from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from accounts.timezones import time_zone_names

# Set by static/js/app.js from the browser, so visitors also see their local times.
BROWSER_TIME_ZONE_COOKIE = "tz"


class ViewerPreferencesMiddleware:
    """Shows times in the viewer's time zone and the interface in their language.

    A signed-in user's own settings win; a visitor gets their browser's time zone (a cookie)
    and the language LocaleMiddleware negotiated from Accept-Language or the language menu.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone_name = user.time_zone
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            zone_name = request.COOKIES.get(BROWSER_TIME_ZONE_COOKIE, "")
        if zone_name in time_zone_names():
            timezone.activate(ZoneInfo(zone_name))
        else:
            timezone.deactivate()
            # A visitor's first page, before the browser's zone is known: pages that show a
            # time say whose zone it is in, rather than calling the server's "your time".
            request.viewer_time_zone_unknown = True
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
