"""The student reproduction: the power checks its audit rests on, with their thresholds.

Its claims compare fine-tuned VOC mAP, so the testbed has power only when fine-tuning can show
what pretraining bought (see :mod:`soundsight.papers.owens2018.checks` for the engine's rules):

- **fine-tuning sees pretraining**: the supervised ``object`` model, fine-tuned, beats random
  weights fine-tuned the same way, for the head only and for all layers;
- **not saturated**: every Table 1 run stays below :data:`CEILING` points;
- **each pretext model generalises** (the student's networks and Owens' sound model): held-out
  score above the train-majority answer by :data:`MARGIN` points, held-out loss within
  :data:`LOSS_GAP` nats of the final training loss.

Every check guards every claim on the fine-tuned mAP (the pretext checks only those that
mention their model).
"""

from __future__ import annotations

from collections.abc import Sequence

from soundsight.papers.owens2018.checks import CEILING, LOSS_GAP, MARGIN
from soundsight.papers.student.claims import METRIC
from soundsight.papers.student.tables import ALL, HEAD, run
from soundsight.report.audit import Claim, PowerCheck
from soundsight.report.audit_metrics import pretext_checks

SUPERVISED, RANDOM = "object", "random"


def finetune_checks(head_models: Sequence[str]) -> list[PowerCheck]:
    """Supervised beats random after fine-tuning (both modes); every Table 1 run unsaturated."""
    checks = []
    if SUPERVISED in head_models and RANDOM in head_models:
        checks += [
            PowerCheck(
                Claim(
                    f"supervised_beats_random_finetuned_{mode}",
                    f"power: fine-tuned ({mode}), the object-supervised model beats random "
                    "weights on mini-VOC",
                    "greater",
                    (run(SUPERVISED, mode),),
                    (run(RANDOM, mode),),
                    METRIC,
                ),
                (METRIC,),
            )  # fmt: skip
            for mode in (HEAD, ALL)
        ]
    runs = tuple(run(m, mode) for m in head_models for mode in (HEAD, ALL))
    if runs:
        below = Claim(
            "unsaturated_finetuned",
            f"power: every Table 1 run stays below {CEILING:g} mAP on mini-VOC",
            "below", runs, (), METRIC, options=(("threshold", str(CEILING)),),
        )  # fmt: skip
        checks.append(PowerCheck(below, (METRIC,)))
    return checks


def student_checks(head_models: Sequence[str], pretext_models: Sequence[str]) -> list[PowerCheck]:
    """Every power check of the student's audit."""
    return [
        *finetune_checks(head_models),
        *pretext_checks(pretext_models, MARGIN, LOSS_GAP, (METRIC,)),
    ]
