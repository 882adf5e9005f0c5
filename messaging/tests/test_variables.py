"""The variables of quick replies and automated messages: what a clinic may
write, and what each caller reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import variables
from messaging.variables import BadVariables
from testkit.helpers import make_caller


def test_every_variable_is_filled(clinic):
    sue = make_caller(clinic, name="Sue  Ellen Smith")
    values = variables.values_for(sue, clinic, position=2, now=sue.arrived_at + timedelta(minutes=7, seconds=59))
    text = "Hello {first_name}: {minutes_waited} min, number {position} at {clinic}."
    assert variables.fill(text, values) == "Hello Sue: 7 min, number 2 at Sunrise Clinic."


def test_a_caller_not_in_the_queue_has_no_number(clinic):
    sue = make_caller(clinic)
    assert variables.fill("#{position}", variables.values_for(sue, clinic, position=None)) == "#–"


def test_doubled_braces_show_one(clinic):
    assert variables.fill("{{first_name}} is {first_name}", {"first_name": "Sue"}) == "{first_name} is Sue"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Hello {name}", "{name}"),
        ("Hello {}", "{}"),
        ("Hello {0}", "{0}"),
        ("Hello {first_name.upper}", "{first_name.upper}"),
        ("Hello {first_name!r}", "{first_name!r}"),
        ("Hello {position:>9}", "{position:>9}"),
        ("Hello {Position}", "{Position}"),
    ],
)
def test_an_unknown_variable_is_refused_by_its_name(text, shown):
    with pytest.raises(BadVariables) as refused:
        variables.parse(text)
    assert shown in str(refused.value)
    assert "{first_name}, {minutes_waited}, {position}, {clinic}" in str(refused.value)


@pytest.mark.parametrize("text", ["Hello {first_name", "Hello }", "Hello first_name}", "{ {"])
def test_a_lone_brace_is_refused(text):
    with pytest.raises(BadVariables, match="brace"):
        variables.parse(text)


def test_the_longest_fill_counts_each_variable_at_its_longest():
    assert variables.longest_filled("ab") == 2
    assert variables.longest_filled("{first_name}{clinic}") == 100 + 100


def test_minutes_waited_are_whole_minutes(clinic):
    sue = make_caller(clinic)
    now = timezone.now()
    sue.arrived_at = now - timedelta(seconds=59)
    assert variables.values_for(sue, clinic, now=now)["minutes_waited"] == 0
    sue.arrived_at = now - timedelta(minutes=61)
    assert variables.values_for(sue, clinic, now=now)["minutes_waited"] == 61
