import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site

from accounts.services import user_refresh_search
from notifications.services import email_send


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's emails (verification, password reset, notices) through notifications,
    and makes a new person findable by search from the start."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_refresh_search(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        render_context = {"email": email, "current_site": get_current_site(self.request)}
        render_context.update(context)
        user_model = get_user_model()
        user = context.get("user")
        if not isinstance(user, user_model):
            user = user_model.objects.filter(email__iexact=email).first()
        email_send(
            to=email,
            user=user,
            kind=template_prefix.rsplit("/", 1)[-1],
            template_prefix=template_prefix,
            context=render_context,
            # Each account email is its own event (a resend is a new email); allauth's rate
            # limits bound how often one can be asked for.
            about=uuid.uuid4().hex,
        )
