"""{% settings_nav clinic "hours" %}: the General configuration's section
navigation, for every settings page (clinics/settings_sections.py lists them)."""

from django import template

from clinics import settings_sections

register = template.Library()


@register.inclusion_tag("clinics/_settings_nav.html")
def settings_nav(clinic, current=""):
    return {"items": settings_sections.nav(clinic, current)}
