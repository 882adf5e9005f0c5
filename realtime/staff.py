"""Staff pages end with the sign-in they were opened with.

A dashboard or call page remembers whose session opened it (`SignIn`), joins
that person's group and closes when the sign-in ends: at once when the person
signs out (the event names the session), or after checking itself against the
database when something else changed (password, deactivation, membership,
sessions ended by an admin). The channel layer may lose that event, and an
idle or expired session sends none: the watchdog checks every staff page of
the process every few seconds as well (`check_pages`, registered by the app
that knows the rules).

What ends a sign-in is the rule of an app (sessions, users, memberships); this
module only carries the answer to the pages, so that realtime stays app-free:
the app hands its rule over with `check_with`.
"""

from dataclasses import dataclass

from channels.db import database_sync_to_async

from . import events
from .consumers import CLOSE_NOT_SIGNED_IN
from .watchdog import watchdog


@dataclass(frozen=True)
class SignIn:
    """What a staff page was opened with: the browser's session, its person, the clinic."""

    session_key: str
    user_id: int
    clinic_id: int


_verdicts = None


def check_with(verdicts):
    """The app's rule: `verdicts([SignIn, ...])` answers, in the database
    thread and in one or two queries for all of them, a close code for each
    sign-in that no longer holds and None for each that does."""
    global _verdicts
    _verdicts = verdicts


async def check_pages(pages):
    """Close every staff page among `pages` whose sign-in no longer holds."""
    staff = [page for page in pages if isinstance(page, StaffPage) and page.sign_in and not page.closed]
    if not staff or _verdicts is None:
        return
    codes = await database_sync_to_async(_verdicts)([page.sign_in for page in staff])
    for page, code in zip(staff, codes):
        if code is not None:
            watchdog.spawn(page.close(code=code))


class StaffPage:
    """A part of a PageConsumer opened by a signed-in person at one clinic."""

    sign_in = None

    async def watch_sign_in(self, user, clinic_id):
        """Call once the page is allowed (signed in, a member): from now on it
        closes when the sign-in ends. Checks the sign-in at once by the app's
        rule too (one that lacks what a clinic requires, e.g. two factors):
        False, and the page is closed, if it does not hold."""
        self.sign_in = SignIn(self.scope["session"].session_key, user.pk, clinic_id)
        await self.channel_layer.group_add(events.staff_person_group(user.pk), self.channel_name)
        if _verdicts is not None:
            [code] = await database_sync_to_async(_verdicts)([self.sign_in])
            if code is not None:
                await self.close(code=code)
                return False
        return True

    async def forget_sign_in(self):
        if self.sign_in is not None:
            await self.channel_layer.group_discard(events.staff_person_group(self.sign_in.user_id), self.channel_name)

    async def session_ended(self, event):
        if self.sign_in is None:
            return
        if event["session_key"] is None:
            await check_pages([self])
        elif event["session_key"] == self.sign_in.session_key:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
