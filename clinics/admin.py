from django.contrib import admin

from .actions import do_change_configuration
from .models import Clinic, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "guest_messaging_enabled")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    # The waiting area's hours and pause are changed on the Opening hours page
    # and the dashboard, where waiting.actions audits them.
    readonly_fields = ["time_zone", "closed_message_en", "closed_message_de", "paused", "pause_message_en", "pause_message_de"]

    def save_model(self, request, obj, form, change):
        configuration = {f: form.cleaned_data[f] for f in form.changed_data if f in Clinic.CONFIGURATION_FIELDS}
        if change and configuration:
            # Configuration changes go through the action, which audits them.
            other = [f for f in form.changed_data if f not in Clinic.CONFIGURATION_FIELDS]
            if other:
                obj.save(update_fields=other)
            do_change_configuration(obj.pk, actor=request.user, **configuration)
        else:
            super().save_model(request, obj, form, change)
