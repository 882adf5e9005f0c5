from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # axes' receivers must be connected before ours: ours read what axes
        # concluded of the same failed sign-in (counted? locked out now?).
        import axes.signals  # noqa: F401

        from . import audit_trail  # noqa: F401

        # Operators sign in on /login/ too (lockout, two factors).
        from django.contrib import admin

        from .views import admin_sign_in

        admin.site.login = admin_sign_in
