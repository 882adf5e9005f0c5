"""Numbers that come from a page's JSON, checked one way everywhere."""

ID_MAX = 2**63 - 1  # a database id; a larger number would crash SQLite's driver


def is_whole_number(value, low=0, high=ID_MAX):
    """An int from low to high, and not a bool (True is an int in Python)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def is_id(value):
    return is_whole_number(value, 1)
