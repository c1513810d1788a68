"""SoundNet's power checks (thresholds: :mod:`soundsight.papers.owens2018.checks`).

- **each student generalises**: its held-out teacher agreement beats always answering the
  train-majority class by :data:`MARGIN` points, and its held-out KL exceeds its final training
  loss by less than :data:`LOSS_GAP` nats (guards the claims that mention it);
- **each teacher generalises** (the same two predicates on its held-out frames): a student
  matching a teacher that learned nothing learns nothing either (guards the claims on the
  students it teaches);
- **no probe is saturated**: every audited line stays below :data:`CEILING` % on each
  benchmark (guards the claims on that benchmark).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from soundsight.papers.owens2018.checks import CEILING, LOSS_GAP, MARGIN
from soundsight.papers.soundnet.claims import METRIC
from soundsight.report.audit import Claim, PowerCheck
from soundsight.report.audit_metrics import pretext_checks

__all__ = [
    "CEILING",
    "LOSS_GAP",
    "MARGIN",
    "ceiling_checks",
    "soundnet_checks",
    "unchecked_teacher_notes",
]
BENCH_NAMES = {"esc50": "ESC-50", "esc10": "ESC-10", "dcase2013": "DCASE 2013", "t7": "Table 7"}


def teacher_checks(taught: Mapping[str, Sequence[str]]) -> list[PowerCheck]:
    """``{teacher: its students}``: each teacher generalises, guarding its students' claims."""
    return pretext_checks(list(taught), MARGIN, LOSS_GAP, (METRIC,), guarded=taught)


def ceiling_checks(keys: Mapping[str, Sequence[str]]) -> list[PowerCheck]:
    """``{benchmark: keys}``: every key below :data:`CEILING` on it (guards its claims)."""
    return [
        PowerCheck(
            Claim(
                f"unsaturated_{bench}",
                f"power: every audited line stays below {CEILING:g} % "
                f"on the world's {BENCH_NAMES.get(bench, bench)}",
                "below",
                tuple(names),
                (),
                METRIC,
                bench,
                options=(("threshold", str(CEILING)),),
            ),
            (METRIC,),
            layers=(bench,),
        )  # fmt: skip
        for bench, names in keys.items()
        if names
    ]


def soundnet_checks(
    students: Sequence[str], taught: Mapping[str, Sequence[str]], keys: Mapping[str, Sequence[str]]
) -> list[PowerCheck]:
    """Every power check of the audit."""
    return [
        *pretext_checks(students, MARGIN, LOSS_GAP, (METRIC,)),
        *teacher_checks(taught),
        *ceiling_checks(keys),
    ]


def unchecked_teacher_notes(
    local_taught: Mapping[str, Sequence[str]], local: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """One note per teacher read from the user's weights (``{teacher: its students}``): no
    held-out frames of its classes exist here, so its generalisation is not checked."""
    return [
        f"teacher `{t}` is the user's local weights ({local[t]['weights']}): not checked here "
        f"(no held-out frames of its classes); its students {', '.join(students)} rest on it"
        for t, students in local_taught.items()
    ]
