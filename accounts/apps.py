from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # axes' receivers must be connected before ours: ours read what axes
        # concluded of the same failed sign-in (counted? locked out now?).
        import axes.signals  # noqa: F401

        from django.db.models.signals import post_delete
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_otp_webauthn.models import WebAuthnCredential

        from . import audit_trail  # noqa: F401
        from .two_factor import end_sign_ins_when_removed

        post_delete.connect(end_sign_ins_when_removed, sender=TOTPDevice, dispatch_uid="accounts.second_factor_removed")
        post_delete.connect(end_sign_ins_when_removed, sender=WebAuthnCredential, dispatch_uid="accounts.passkey_removed")

        # Operators sign in on /login/ too (lockout, two factors).
        from django.contrib import admin

        from .views import admin_sign_in, operators_with_two_factors

        admin.site.login = admin_sign_in
        admin.site.has_permission = operators_with_two_factors(admin.site.has_permission)

        # Sessions that end everywhere: what ends them, and the check that
        # closes the pages of one that ended (realtime/staff.py).
        from realtime import staff
        from realtime.watchdog import watchdog

        from .sessions import ending, verdicts

        ending.connect()

        # The team page shows each member's two factors and lockout.
        from clinics import team_page

        from .team_facts import facts

        team_page.account_facts_from(facts)
        staff.check_with(verdicts.verdicts)
        watchdog.every(lambda: verdicts.CHECK_SECONDS, staff.check_pages)
