"""A caller's name is shown to staff next to other names: one that shows
nothing (zero-width characters, blank letters) is refused, and characters
that turn the text around them (bidi overrides, embeddings, isolates) are
removed before it is stored."""

import pytest

from testkit.helpers import make_caller
from waiting.models import Caller
from waitroom.errors import ActionError


@pytest.mark.parametrize(
    "name",
    [
        "\u200b",
        "\u200b\u200c\u200d\u2060\ufeff",
        " \u00ad \u200e ",
        "\u3164\u3164",  # Hangul fillers
        "\u2800",  # the Braille blank
        "\u202e\u2066\u2069",  # only bidi controls
        "\u0301\u0301",  # combining marks with nothing to combine with
        "\x07\x1b",
    ],
)
def test_a_name_that_shows_nothing_is_refused(client, clinic, name):
    response = client.post("/w/sunrise/", {"name": name})

    assert response.status_code == 200
    assert "Please enter your name." in response.content.decode()
    assert not Caller.objects.exists()


@pytest.mark.parametrize(
    "name, stored",
    [
        ("\u202eAda Lovelace", "Ada Lovelace"),
        ("Ada \u202dLovelace\u202c", "Ada Lovelace"),
        ("\u2067Ada\u2069 \u2066Lovelace\u2069", "Ada Lovelace"),
        ("Ada\u202a\u202b\u2068 Lovelace", "Ada Lovelace"),
    ],
)
def test_bidi_overrides_are_removed_from_a_name(client, clinic, name, stored):
    assert client.post("/w/sunrise/", {"name": name}).status_code == 302

    assert Caller.objects.get().name == stored


def test_a_name_keeps_the_characters_its_script_needs(clinic):
    # A zero-width joiner makes one emoji of three; a non-joiner is a letter's
    # shape in Persian; a mark gives Hebrew its direction.
    names = ["Sam \U0001f469\u200d\U0001f527", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u05d3\u05e0\u05d4\u200f"]

    assert [make_caller(clinic, name=name).name for name in names] == names


def test_the_other_fields_lose_bidi_overrides_too(client, clinic):
    clinic.extra_field_label = "Reason for your visit"
    clinic.extra_field = "optional"
    clinic.save()

    client.post("/w/sunrise/", {"name": "Ada", "extra_answer": "\u202egnp.exe headache"})

    assert Caller.objects.get().extra_answer == "gnp.exe headache"


def test_the_action_refuses_a_name_that_shows_nothing(clinic):
    with pytest.raises(ActionError) as refused:
        make_caller(clinic, name="\u200b\u200b")

    assert refused.value.code == "name_required"


def test_the_action_refuses_a_lone_surrogate(clinic):
    with pytest.raises(ActionError) as refused:
        make_caller(clinic, name="Ada\ud800")

    assert refused.value.code == "invalid"
    assert not Caller.objects.exists()
