"""Owens et al. 2018: the power checks its audit rests on, with their thresholds.

A claim is only worth auditing when the embedded testbed can tell a true claim from a false one.
These predicates are evaluated like the claims (bootstrap intervals, :mod:`soundsight.report.
audit`); a claim that a failed check guards is reported as ``no power``. Thresholds are
declared here and nowhere else (the README's "Power checks" section quotes them):

- **the probes can see learning**: the supervised ``object`` model beats random weights on
  mini-VOC mAP, and the supervised ``scene`` model beats them on mini-SUN accuracy, at pool5 and
  fc7 (guards every claim on that probe);
- **no probe is saturated**: every Table 2 model stays below :data:`CEILING` points on both
  probes at every layer (guards every claim on that probe);
- **each pretext model generalises**: on held-out videos it beats the train-majority answer by
  :data:`MARGIN` points, and its held-out loss exceeds its final training loss by less than
  :data:`LOSS_GAP` nats (guards the probe and unit claims that mention it).
"""

from __future__ import annotations

from collections.abc import Sequence

from soundsight.papers.owens2018.claims import METRICS
from soundsight.papers.owens2018.tables import LAYERS, TABLE2_ROWS
from soundsight.report.audit import Claim, PowerCheck
from soundsight.report.audit_metrics import pretext_checks

CEILING = 90.0  # points of VOC mAP / SUN accuracy: a probe above it cannot rank models
MARGIN = 2.0  # points above the train-majority answer on held-out frames
LOSS_GAP = 1.0  # nats: held-out loss minus final training loss
SUPERVISED = {"voc": "object", "sun": "scene"}  # the probe's own supervised model
SANITY_LAYERS = ("pool5", "fc7")
PRETEXT_GUARDS = ("voc_map", "sun_accuracy", "unit_count")


def supervised_checks(random: str = "random") -> list[PowerCheck]:
    """The supervised model of each probe beats random weights at pool5 and fc7."""
    return [
        PowerCheck(
            Claim(
                f"supervised_beats_random_{d}_{layer}",
                f"power: the {SUPERVISED[d]}-supervised model beats random weights on "
                f"mini-{d.upper()} at {layer}",
                "greater",
                (SUPERVISED[d],),
                (random,),
                METRICS[d],
                layer,
            ),
            (METRICS[d],),
        )  # fmt: skip
        for d in SUPERVISED
        for layer in SANITY_LAYERS
    ]


def ceiling_checks(models: Sequence[str] = tuple(TABLE2_ROWS)) -> list[PowerCheck]:
    """Every Table 2 model below :data:`CEILING` on each probe, at every layer."""
    return [
        PowerCheck(
            Claim(
                f"unsaturated_{d}_{layer}",
                f"power: every Table 2 model stays below {CEILING:g} on mini-{d.upper()} "
                f"at {layer}",
                "below",
                tuple(models),
                (),
                METRICS[d],
                layer,
                options=(("threshold", str(CEILING)),),
            ),
            (METRICS[d],),
        )  # fmt: skip
        for d in SUPERVISED
        for layer in LAYERS
    ]


def owens2018_checks(pretext_models: Sequence[str]) -> list[PowerCheck]:
    """Every power check of the audit; ``pretext_models`` are its trained models."""
    return [
        *supervised_checks(),
        *ceiling_checks(),
        *pretext_checks(pretext_models, MARGIN, LOSS_GAP, PRETEXT_GUARDS),
    ]
