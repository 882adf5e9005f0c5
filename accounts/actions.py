"""Changes to staff accounts that clinic admins make, audited."""

from audit.log import record

from .lockout import unlock


def do_unlock_member(membership, *, actor):
    """A clinic admin ends the sign-in lockout of a member of their clinic."""
    cleared = unlock(membership.user)
    record("account.unlocked", clinic=membership.clinic, actor=actor, account=membership.user_id, cleared=cleared)
    return cleared
