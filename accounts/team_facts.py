"""What the clinic's team page shows of each member's account: two factors
set up, locked out. clinics/ imports nothing of accounts/; AccountsConfig.ready
hands this to the team page (clinics.team_page.account_facts_from)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from .lockout import locked_out_accounts


def facts(users):
    """{user id: {"two_factors": bool, "locked_out": bool}} for these users."""
    ids = [user.pk for user in users]
    with_two_factors = set(TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True))
    locked_out = locked_out_accounts(users)
    return {pk: {"two_factors": pk in with_two_factors, "locked_out": pk in locked_out} for pk in ids}
