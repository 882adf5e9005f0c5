"""Headers every answer of the app carries (static files are answered before
this, by WhiteNoise, and keep their own).

- `Cache-Control: no-store`: the dashboard, the caller's pages, a thread, a
  visit's activity, the call page and the answers to staff actions all carry
  patient data, and pages that do not are not worth a rule of their own. No
  browser or proxy keeps a copy (a shared computer at reception, the back
  button after signing out).
- `Permissions-Policy`: no page may use the camera, the microphone or the
  other powerful features, except the two pages that call — the caller's
  waiting page and the staff call page — which may use the camera and the
  microphone of this origin (`may_call(response)`), and nothing else; the
  staff call page may also share the team member's screen
  (`may_call(response, share_screen=True)`: display-capture), the caller's
  page may not.
  Passkeys likewise: only the account page (adding one) and the passkey step
  of signing in may ask the browser for them (`may_use_passkeys(response)`).
"""

from django.utils.cache import patch_cache_control

DENIED = (
    "accelerometer", "bluetooth", "display-capture", "geolocation", "gyroscope", "hid", "magnetometer",
    "midi", "payment", "serial", "usb",
)
CALLING = ("camera", "microphone")
PASSKEYS = ("publickey-credentials-create", "publickey-credentials-get")


def policy(allowed):
    """`allowed` for this origin, every other feature named here for nobody."""
    features = (*CALLING, *PASSKEYS, *DENIED)
    return ", ".join(f"{feature}={'(self)' if feature in allowed else '()'}" for feature in features)


NO_CALLS = policy(())
CALLS = policy(CALLING)
CALLS_SHARING_SCREEN = policy((*CALLING, "display-capture"))
USES_PASSKEYS = policy(PASSKEYS)


def may_call(response, share_screen=False):
    """This page makes video calls: it may use the camera and microphone
    (and, for the team's call page, share the screen)."""
    response.permissions_policy = CALLS_SHARING_SCREEN if share_screen else CALLS
    return response


def may_use_passkeys(response):
    """This page adds a passkey or signs in with one."""
    response.permissions_policy = USES_PASSKEYS
    return response


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Permissions-Policy"] = getattr(response, "permissions_policy", NO_CALLS)
        # Replaces what a view or Django may have said (never_cache's max-age=0 and all).
        if "Cache-Control" in response:
            del response["Cache-Control"]
        patch_cache_control(response, no_store=True)
        return response
