"""The clinic's integrations page (/clinics/<slug>/integrations/): its API
keys for everyone of the team to read (names, permissions, last use — never
a secret); making and revoking keys for its admins. A new key is shown once,
on the answer to the form that made it, and stored nowhere but as a hash.

Another clinic's key is not found (404), as for everything of another
clinic; a team member's POST is refused (403)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinics import access
from clinics.audit_words import person
from realtime.text import is_encodable
from waitroom.errors import ActionError

from .api_keys import NAME_MAX, Scope, do_create_api_key, do_revoke_api_key, keys_of


class KeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        help_text=gettext_lazy("What the key is for, e.g. the practice system's name."),
        error_messages={"required": gettext_lazy("Give the key a name, e.g. the practice system it is for.")},
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("The key may"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one thing the key may do."),
            "invalid_choice": gettext_lazy("Choose among the listed permissions."),
        },
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not is_encodable(name):
            raise forms.ValidationError(_("A name is text."))
        return name


def _page(request, membership, *, status=200, form=None, new_key=None):
    clinic = membership.clinic
    rows = [{"key": key, "created_by": person(key.created_by)} for key in keys_of(clinic)]
    context = {
        "clinic": clinic,
        "membership": membership,
        "keys": rows,
        "form": form or KeyForm(),
        "new_key": new_key,
        "api_base": request.build_absolute_uri(reverse("api:api-root")),
        "api_docs": reverse("api_docs"),
    }
    return render(request, "integrations/integrations.html", context, status=status)


@login_required
@require_GET
@never_cache
def integrations_page(request, slug):
    return _page(request, access.membership_for(request.user, slug))


def _admin(request, slug):
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    return membership


@login_required
@require_POST
@never_cache
def create_key(request, slug):
    membership = _admin(request, slug)
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, status=400, form=form)
    try:
        key, text = do_create_api_key(
            membership.clinic, actor=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
        )
    except ActionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _page(request, membership, status=error.status, form=form)
    # Shown on this answer only: not kept in the session, not in a message.
    return _page(request, membership, new_key={"key": key, "text": text})


@login_required
@require_POST
def revoke_key(request, slug, key_id):
    membership = _admin(request, slug)
    try:
        key = do_revoke_api_key(membership.clinic, key_id, actor=request.user)
    except ActionError as error:
        if error.status == 404:
            raise Http404
        raise
    messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": key.name})
    return redirect("integrations:integrations", slug=membership.clinic.slug)
