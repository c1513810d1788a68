"""The student reproduction's statements as auditable claims on fine-tuned VOC mAP.

Every claim uses the ``finetune_map`` metric plugin (:mod:`soundsight.report.audit_metrics`):
keys are fine-tuning runs ``<model>/<mode>`` (or the difference of two runs), resampled on the
same test images. The claims, as declared here:

- **all layers > head only** (Table 1), for the student's AlexNet and for each Table 1 row the
  world replicates (Owens' sound model, random init., the supervised object model);
- **MFCC >= texture** (Sec. 5, Fig. 4: "a slight improvement using MFCCs"): audited as MFCC >
  texture, so *inconclusive* means the two are not told apart;
- **AlexNet > ResNet-18 at equal epochs** (Sec. 5): both at ``student.k`` clusters, trained for
  the same iterations and batch;
- **mAP plateaus past some k** (Sec. 5, Fig. 3, for both networks), as two claims over the
  sweep's smallest, middle and largest k (``k_lo < k_mid < k_hi``): *few clusters are worse*,
  mAP(k_mid) > mAP(k_lo); and *the gain flattens*, the rise from k_lo to k_mid exceeds the rise
  from k_mid to k_hi: (mAP(k_mid) - mAP(k_lo)) > (mAP(k_hi) - mAP(k_mid)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soundsight.papers.student.tables import (
    ALL,
    HEAD,
    MFCC_ROW,
    PAPER,
    TEXTURE_ROW,
    alexnet,
    alexnet_mfcc,
    resnet18,
    run,
    table1,
)
from soundsight.report.audit import Claim, PublishedRef
from soundsight.report.audit_metrics import RUN_DIFFERENCE
from soundsight.report.table import published_cells

AUDIT_TITLE = "Student reproduction: claims audit"
METRIC = "finetune_map"
ARCHITECTURES = {"alexnet": alexnet, "resnet18": resnet18}


@dataclass(frozen=True)
class RowMean(PublishedRef):
    """A published side that is the mean of a printed row's cells (the per-class table's rows
    have no printed mAP)."""

    def value(self, entry: str, measure: str | None = None) -> float:
        """Mean of the printed cells of row ``entry``."""
        cells = published_cells(self.paper, self.table)[entry]
        return sum(cells.values()) / len(cells)


def sweep_points(sweep_k: Sequence[int]) -> tuple[int, int, int]:
    """The smallest, middle (the median of the sorted list; upper one if even) and largest k."""
    ks = sorted(set(sweep_k))
    if len(ks) < 3:
        raise ValueError(f"the plateau claims need at least three k values, got {ks}")
    return ks[0], ks[len(ks) // 2], ks[-1]


def all_beats_head(model: str, k: int) -> Claim:
    """Table 1: fine-tuning all layers beats training the head only, for ``model``."""
    row = table1(k).rows[model].published_row
    assert row is not None
    ref = PublishedRef(PAPER, "table1", row, ("All",), ("Head",), transposed=True)
    return Claim(
        f"all_beats_head_{model}",
        f"Table 1 ({row}): fine-tuning all layers gives a higher mAP than training the head only",
        "greater", (run(model, ALL),), (run(model, HEAD),), METRIC, published=ref,
    )  # fmt: skip


def mfcc_claim(k: int) -> Claim:
    """Sec. 5 / Fig. 4: MFCC clusters give a (slightly) better network than texture clusters."""
    ref = RowMean(PAPER, "table2", "mean", (MFCC_ROW,), (TEXTURE_ROW,))
    return Claim(
        "mfcc_beats_texture",
        "Sec. 5 / Fig. 4: a slight improvement using MFCCs instead of sound textures "
        "(MFCC >= texture; audited as >)",
        "greater", (run(alexnet_mfcc(k)),), (run(alexnet(k)),), METRIC, published=ref,
    )  # fmt: skip


def architecture_claim(k: int) -> Claim:
    """Sec. 5: AlexNet beats ResNet-18 trained for the same number of epochs."""
    return Claim(
        "alexnet_beats_resnet18",
        "Sec. 5: AlexNet outperforms ResNet-18 when both are trained for the same epochs "
        "(here: the same iterations and batch)",
        "greater", (run(alexnet(k)),), (run(resnet18(k)),), METRIC,
    )  # fmt: skip


def plateau_claims(architecture: str, sweep_k: Sequence[int]) -> list[Claim]:
    """Sec. 5 / Fig. 3: few clusters are worse, and the gain flattens past the middle k."""
    name = ARCHITECTURES[architecture]
    lo, mid, hi = (run(name(k)) for k in sweep_points(sweep_k))
    k_lo, k_mid, k_hi = sweep_points(sweep_k)
    rise = f"({mid}{RUN_DIFFERENCE}{lo})"
    past = f"({hi}{RUN_DIFFERENCE}{mid})"
    return [
        Claim(
            f"few_clusters_worse_{architecture}",
            f"Sec. 5 / Fig. 3 ({architecture}): having very few clusters is not ideal "
            f"(k={k_mid} > k={k_lo})",
            "greater", (mid,), (lo,), METRIC,
        ),
        Claim(
            f"gain_flattens_past_k{k_mid}_{architecture}",
            f"Sec. 5 / Fig. 3 ({architecture}): little improvement past some number of "
            f"clusters (gain k={k_lo}→{k_mid} > gain k={k_mid}→{k_hi})",
            "greater", (rise,), (past,), METRIC,
        ),
    ]  # fmt: skip


def student_claims(k: int, sweep_k: Sequence[int], head_models: Sequence[str]) -> list[Claim]:
    """Every audited claim: all > head for ``head_models`` (Table 1's rows in this DAG), MFCC
    vs texture, AlexNet vs ResNet-18, and the plateau of both sweeps."""
    return [
        *(all_beats_head(m, k) for m in head_models),
        mfcc_claim(k),
        architecture_claim(k),
        *plateau_claims("alexnet", sweep_k),
        *plateau_claims("resnet18", sweep_k),
    ]
