"""The clinic admin's webhook pages (/clinics/<slug>/integrations/webhooks/):
the endpoints, one endpoint with its settings and delivery log, a new
secret, removal, and "send again". The rules are in integrations/webhooks.py.

A team member is refused (403); another clinic's staff find nothing (404),
also for an endpoint or delivery id of another clinic. A new secret is shown
once: the POST that made it leaves it in the session for the page it
redirects to, which takes it out (a reload shows it no more, and does not
register the endpoint twice)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clinics import access
from waitroom.errors import ActionError

from . import webhooks
from .webhooks import EVENTS, WebhookDelivery, WebhookEndpoint

LOG_PAGE = 25
SECRET_KEY = "webhook_secret_once"


class EndpointForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2000, strip=False,
                          help_text=gettext_lazy("The practice system's address for events, starting with https://."))
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=1000)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple, choices=lambda: list(EVENTS.items()),
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    include_details = forms.BooleanField(
        label=gettext_lazy("Include message bodies and entry fields"), required=False,
        help_text=gettext_lazy("Off: events carry ids and statuses only. On: also callers' names, entry fields and messages."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple) and field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def refuse(self, error):
        field = {"invalid_url": "url", "https_required": "url", "private_address": "url", "invalid_events": "events",
                 "too_long": "description"}.get(error.code)
        self.add_error(field, error.message)


class ChangeEndpointForm(EndpointForm):
    active = forms.BooleanField(label=gettext_lazy("Send events to this address"), required=False)


def _admin(request, slug):
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    return membership


def _endpoint(membership, endpoint_id):
    endpoint = WebhookEndpoint.objects.filter(clinic=membership.clinic, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def webhooks_page(request, slug):
    membership = _admin(request, slug)
    clinic = membership.clinic
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = webhooks.do_add_endpoint(
                clinic, actor=request.user, url=data["url"], events=data["events"],
                include_details=data["include_details"], description=data["description"],
            )
        except ActionError as error:
            form.refuse(error)
        else:
            return _show_secret_once(request, slug, endpoint)
    context = {
        "clinic": clinic, "membership": membership, "form": form,
        "endpoints": WebhookEndpoint.objects.filter(clinic=clinic), "events": EVENTS,
    }
    return render(request, "integrations/webhooks.html", context, status=400 if form.errors else 200)


def _endpoint_page(request, membership, endpoint, *, form=None, secret=None, status=200):
    if form is None:
        form = ChangeEndpointForm(initial={
            "url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
            "include_details": endpoint.include_details, "active": endpoint.active,
        })
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
    log = Paginator(deliveries, LOG_PAGE).get_page(request.GET.get("page"))
    context = {
        "clinic": membership.clinic, "membership": membership, "endpoint": endpoint, "form": form,
        "secret": secret, "log": log,
    }
    return render(request, "integrations/webhook.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def endpoint_page(request, slug, endpoint_id):
    membership = _admin(request, slug)
    endpoint = _endpoint(membership, endpoint_id)
    if request.method == "GET":
        shown = request.session.pop(SECRET_KEY, None)
        secret = shown["secret"] if isinstance(shown, dict) and shown.get("endpoint") == endpoint.pk else None
        return _endpoint_page(request, membership, endpoint, secret=secret)
    form = ChangeEndpointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, changes = webhooks.do_change_endpoint(
                membership.clinic, endpoint.pk, actor=request.user, url=data["url"], events=data["events"],
                include_details=data["include_details"], active=data["active"], description=data["description"],
            )
        except ActionError as error:
            if error.status == 404:
                raise
            form.refuse(error)
        else:
            return redirect("integrations:webhook", slug, endpoint.pk)
    return _endpoint_page(request, membership, endpoint, form=form, status=400)


@login_required
@require_POST
@never_cache
def rotate_secret(request, slug, endpoint_id):
    membership = _admin(request, slug)
    endpoint = webhooks.do_rotate_secret(membership.clinic, _endpoint(membership, endpoint_id).pk, actor=request.user)
    return _show_secret_once(request, slug, endpoint)


def _show_secret_once(request, slug, endpoint):
    request.session[SECRET_KEY] = {"endpoint": endpoint.pk, "secret": endpoint.secret}
    return redirect("integrations:webhook", slug, endpoint.pk)


@login_required
@require_POST
def remove_endpoint(request, slug, endpoint_id):
    membership = _admin(request, slug)
    webhooks.do_remove_endpoint(membership.clinic, _endpoint(membership, endpoint_id).pk, actor=request.user)
    return redirect("integrations:webhooks", slug)


@login_required
@require_POST
def send_again(request, slug, endpoint_id, delivery_id):
    membership = _admin(request, slug)
    endpoint = _endpoint(membership, endpoint_id)
    try:
        webhooks.do_send_again(membership.clinic, endpoint.pk, delivery_id, actor=request.user)
    except ActionError as error:
        if error.status == 404:
            raise Http404
        raise
    page = request.POST.get("page", "")
    url = reverse("integrations:webhook", args=[slug, endpoint.pk])
    return redirect(url + (f"?page={int(page)}" if page.isdigit() and len(page) < 10 else ""))
