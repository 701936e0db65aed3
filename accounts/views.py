from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.extensions import profile_sections
from accounts.forms import ProfileForm
from accounts.models import User
from accounts.services import user_update_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    # A copy, so that a rejected form never changes what the rest of the page shows.
    user = User.objects.get(pk=request.user.pk)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ProfileForm(data, instance=user)
    sections = [
        (section, section.form_class(data, files, prefix=section.key, **section.form_kwargs(user)))
        for section in profile_sections()
    ]
    if request.method == "POST":
        # Validate every form, so that each shows its own errors at once.
        valid = [form.is_valid(), *(section_form.is_valid() for _, section_form in sections)]
        if all(valid):
            with transaction.atomic():
                for section, section_form in sections:
                    section.save(user=request.user, form=section_form)
                # Last: it rebuilds the search document from everything just saved.
                user_update_profile(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "sections": sections})
