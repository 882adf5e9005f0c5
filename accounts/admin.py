"""Operators see staff's passkeys in the admin, as they see their authenticator
apps (django-otp registers those itself): deleting one, for a lost laptop,
ends every sign-in of its owner (accounts/apps.py)."""

from django.contrib import admin
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
