"""Sessions that end everywhere: how long a staff sign-in lasts (limits),
what ends it (ending), and the check that closes the pages of one that
ended (verdicts; realtime/staff.py asks it). docs/sessions.md."""
