"""Assertions shared by tests of different apps."""

from enum import Enum


def assert_reads_as_the_orm(loaded, stored) -> None:
    """Every concrete field of `loaded` (built from hand-written SQL, copsite/rows.py) holds
    what the ORM read into `stored`, of the same type: `0 == False` must not pass for a
    boolean the database sent as an integer. (A choice set in Python as an enum member
    counts as its value, as `save()` would store it.)"""
    for field in type(stored)._meta.concrete_fields:
        ours, theirs = getattr(loaded, field.attname), getattr(stored, field.attname)
        ours = ours.value if isinstance(ours, Enum) else ours
        assert (type(ours), ours) == (type(theirs), theirs), field.name
