from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.models import AuditEvent

from . import access
from .actions import do_change_configuration
from .forms import ConfigurationForm


@login_required
def home(request):
    memberships = list(request.user.memberships.select_related("clinic").order_by("clinic__name"))
    if len(memberships) == 1:
        return redirect("waiting:dashboard", slug=memberships[0].clinic.slug)
    return render(request, "clinics/home.html", {"memberships": memberships})


@login_required
def configuration(request, slug):
    """General configuration: clinic admins only."""
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    clinic = membership.clinic
    form = ConfigurationForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        # The form must not have touched the clinic: the action writes it.
        clinic.refresh_from_db()
        do_change_configuration(clinic.pk, actor=request.user, **changes)
        messages.success(request, _("The configuration is saved."))
        return redirect("clinics:configuration", slug=slug)
    history = AuditEvent.objects.filter(clinic=clinic, action="clinic.configuration_changed").select_related("actor")[:20]
    return render(
        request,
        "clinics/configuration.html",
        {"clinic": clinic, "membership": membership, "form": form, "history": history},
    )
