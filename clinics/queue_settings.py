"""The Queue settings page: whether waiting callers see their place in the
queue and the expected wait (waiting/queue.py). Clinic admins only; every
change through do_change_configuration, so it is audited and announced."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import access
from .actions import do_change_configuration
from .forms import QueueSettingsForm


@login_required
def queue_settings(request, slug):
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    clinic = membership.clinic
    # Both boxes unticked post nothing of the form: still a post.
    form = QueueSettingsForm(request.POST if request.method == "POST" else None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        clinic.refresh_from_db()  # the form must not have touched the clinic: the action writes it
        do_change_configuration(clinic.pk, actor=request.user, **changes)
        messages.success(request, _("The queue settings are saved."))
        return redirect("clinics:queue_settings", slug=slug)
    if request.method == "POST":
        clinic.refresh_from_db()
    return render(request, "clinics/queue_settings.html", {"clinic": clinic, "membership": membership, "form": form})
