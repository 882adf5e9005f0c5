from django.contrib.auth import logout

from . import limits
from .ending import remember_session

# Requests a page makes by itself, not because somebody did something (a
# thread reloaded because a message arrived): they do not keep a sign-in alive.
BACKGROUND_HEADER = "X-Waitroom-Background"


class StaffSessionMiddleware:
    """Each request of a signed-in person is activity: it restarts the idle
    clock (at most every limits.touch_every()). A sign-in past its idle or
    absolute limit is signed out here — normally its session has already
    expired in the database and the person arrives signed out anyway; this
    catches a limit made shorter since. After AuthenticationMiddleware.

    It also keeps `StaffSession` (whose session this is) true when a view
    gave the session a new key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if limits.seconds_left(request.session) <= 0:
                logout(request)
            elif limits.touch_due(request.session) and BACKGROUND_HEADER not in request.headers:
                limits.touch(request.session)
        response = self.get_response(request)
        if request.user.is_authenticated:
            remember_session(request.session, request.user)  # its key may have changed in the view
        return response
