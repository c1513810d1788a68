"""One package per paper: its table declarations, claims, wording and figure builders.

A paper plugin declares; the engines in :mod:`soundsight.report` (and the other generic
packages) compute. Nothing outside ``papers/`` imports from here except the workflow scripts.
"""
