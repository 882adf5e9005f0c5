from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from audit.models import AuditEvent

from . import access, audit_words, settings_sections
from .actions import do_change_configuration
from .forms import section_form
from .models import Clinic


@login_required
def home(request):
    memberships = list(request.user.memberships.select_related("clinic").order_by("clinic__name"))
    if len(memberships) == 1:
        return redirect("waiting:dashboard", slug=memberships[0].clinic.slug)
    return render(request, "clinics/home.html", {"memberships": memberships})


HISTORY_EVENTS = 50  # the last changes read for a page's "Recent changes"


def _admin_membership(request, slug):
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    return membership


def _recent_changes(clinic, about=None):
    events = AuditEvent.objects.filter(clinic=clinic, action="clinic.configuration_changed").select_related("actor")
    return audit_words.history(events.order_by("-created_at", "-id")[:HISTORY_EVENTS], about=about)[:20]


@login_required
@never_cache
def configuration(request, slug):
    """The General configuration's overview: every section with its values in
    words, and the recent changes in sentences. Clinic admins only."""
    membership = _admin_membership(request, slug)
    clinic = membership.clinic
    sections = [
        {
            "section": section,
            "url": section.url(clinic),
            "values": [
                (audit_words.field_label(field), audit_words.value_text(field, getattr(clinic, field)))
                for field in section.fields
            ],
        }
        for section in settings_sections.SECTIONS
    ]
    return render(
        request,
        "clinics/configuration.html",
        {
            "clinic": clinic,
            "membership": membership,
            "sections": sections,
            "history": _recent_changes(clinic),
        },
    )


@login_required
@never_cache
def section(request, slug, section_slug):
    """One section of the General configuration, its form and its recent changes."""
    membership = _admin_membership(request, slug)
    section = next(s for s in settings_sections.form_sections() if s.slug == section_slug)
    # The form checks a copy: only the action writes the clinic.
    form = section_form(section, request.POST if request.method == "POST" else None, instance=Clinic.objects.get(pk=membership.clinic_id))
    if request.method == "POST":
        if form.is_valid():
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            do_change_configuration(membership.clinic_id, actor=request.user, **changes)
            messages.success(request, _("The configuration is saved."))
            return redirect(section.url_name, slug=slug)
    clinic = Clinic.objects.get(pk=membership.clinic_id)
    return render(
        request,
        "clinics/configuration_section.html",
        {
            "clinic": clinic,
            "membership": membership,
            "section": section,
            "form": form,
            "history": _recent_changes(clinic, about=section.fields),
        },
        status=400 if form.errors else 200,
    )
