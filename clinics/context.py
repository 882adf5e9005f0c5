"""What every page's header needs of the clinics: the clinics of the signed-in
person, for the clinic switcher (templates/base.html). Read only when a page
shows the header, and once per page."""

from django.utils.functional import SimpleLazyObject

from .models import Clinic


def clinics_of_the_person(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"your_clinics": SimpleLazyObject(lambda: list(Clinic.objects.filter(memberships__user=user).order_by("name")))}
