def page_or_partial(request, template_name: str, partial: str) -> str:
    """The partial for an htmx request, the whole page otherwise.

    A history restore (the Back button after the cache ran out) also carries HX-Request, but
    wants the whole page. Views that answer both ways also vary their cache on HX-Request.
    """
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template_name}#{partial}"
    return template_name
