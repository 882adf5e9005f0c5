"""What the team tests share: the addresses, and an invitation made as the team page makes it."""

import re

from django.core import mail

from clinics import team
from clinics.models import Role

SITE = "http://testserver/"
NEW_PASSWORD = "a long new passphrase 42"


def team_url(clinic, rest=""):
    return f"/clinics/{clinic.slug}/team/{rest}"


def invite(clinic, actor, email="sam@sunrise.test", role=Role.MEMBER, language="en"):
    """An invitation and its link (the mail sent, as the team page sends it)."""
    invitation, link, sent = team.do_invite(clinic.pk, actor=actor, email=email, role=role, language=language, site=SITE)
    assert sent
    return invitation, link


def path_of(link):
    return link.removeprefix(SITE.rstrip("/"))


def link_in_mail(message):
    (link,) = re.findall(r"http://testserver/invitation/[A-Za-z0-9_-]+/", message.body)
    return link


def last_mail():
    return mail.outbox[-1]


def new_account(first_name="Sam", last_name="Rivera", password=NEW_PASSWORD):
    return {"first_name": first_name, "last_name": last_name, "password1": password, "password2": password}
