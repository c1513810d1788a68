"""Owens et al. 2018: its statements as auditable claims (Tables 1, 2 and 5, §4-§6, Fig. 11).

Each claim names replicated models (keys of :data:`~soundsight.papers.owens2018.tables.
TABLE2_ROWS`) and a metric plugin of :mod:`soundsight.report.audit_metrics`; its published
counterpart is derived from the same row mapping, so the audit can show whether the paper's own
numbers satisfy the predicate. Replicated models without a published row (random init.) are
left out of the paper-side comparison and listed as skipped.
"""

from __future__ import annotations

from soundsight.papers.owens2018.tables import LAYERS, PAPER, TABLE2_ROWS
from soundsight.report.audit import Claim, PublishedRef
from soundsight.report.audit_metrics import unit_claim

AUDIT_TITLE = "Owens et al. 2018: claims audit"
METRICS = {"voc": "voc_map", "sun": "sun_accuracy"}  # Table 2's datasets -> metric plugins
SOUND_TEXTURE = ("sound_cluster", "sound_binary")
SELF_SUPERVISED = ("sound_cluster", "sound_binary", "sound_spectrum", "texton_cnn", "kmeans")
CLUSTER_TEXT_COLUMN = "cluster prediction/test accuracy"  # owens2018_text.csv, §5.2
CLUSTER_TEXT_ROWS = {
    "model": "Sound (cluster)",
    "above_chance": "Chance",
    "above_majority": "Most common label",
}


def table2_ref(
    left: tuple[str, ...], right: tuple[str, ...], dataset: str, layer: str
) -> PublishedRef:
    """The paper's Table 2 cells for the claim's models at ``dataset`` (voc/sun) and ``layer``."""

    def rows(models: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(r for m in models if (r := TABLE2_ROWS[m].published_row) is not None)

    skipped = tuple(m for m in left + right if TABLE2_ROWS[m].published_row is None)
    column = f"{dataset.upper()}/{layer}"
    return PublishedRef(PAPER, "table2", column, rows(left), rows(right), skipped)


def table2_claim(
    name: str,
    text: str,
    kind: str,
    left: tuple[str, ...],
    right: tuple[str, ...],
    dataset: str,
    layer: str,
) -> Claim:
    """A Table 2 claim on ``dataset`` (voc/sun) with its published counterpart attached."""
    ref = table2_ref(left, right, dataset, layer)
    return Claim(name, text, kind, left, right, METRICS[dataset], layer, ref)


def cluster_claim(kind: str, text: str) -> Claim:
    """A §5.2 cluster-prediction claim (accuracy above chance or above the majority label)."""
    ref = PublishedRef(
        PAPER,
        "text",
        CLUSTER_TEXT_COLUMN,
        (CLUSTER_TEXT_ROWS["model"],),
        (CLUSTER_TEXT_ROWS[kind],),
    )
    return Claim(
        f"cluster_{kind}", text, kind, ("sound_cluster",), (), "cluster_accuracy", None, ref
    )


def _texture_claims() -> list[Claim]:
    """§5.1: both sound-texture models beat the spectrum model."""
    text = (
        "§5.1: both models based on sound textures (clustering and binary) outperformed the "
        "model that predicted only the frequency spectrum"
    )
    return [
        table2_claim(
            f"textures_beat_spectrum_{d}_pool5",
            text,
            "each_greater",
            SOUND_TEXTURE,
            ("sound_spectrum",),
            d,
            "pool5",
        )
        for d in ("voc", "sun")
    ]


def _baseline_claims() -> list[Claim]:
    """§6 and Table 2: the sound models beat Texton-CNN, random init. and k-means init."""
    texts = {
        "texton_cnn": "§6: the Texton-CNN (visual texton labels instead of sound) performed "
        "significantly worse than the audio-based models on object and scene recognition",
        "random": "§5.1 (detection: Table 3): the sound model performed significantly better than "
        "a randomly initialised model; Table 2 has no random row, so this is audited on the "
        "linear probes",
        "kmeans": "Table 2: the sound models beat the k-means initialisation of Krähenbühl et al.",
    }
    return [
        table2_claim(
            f"sound_beats_{base}_{d}_pool5",
            text,
            "each_greater",
            SOUND_TEXTURE,
            (base,),
            d,
            "pool5",
        )
        for base, text in texts.items()
        for d in ("voc", "sun")
    ]


def _supervised_claims() -> list[Claim]:
    """Table 2: the supervised object model beats every self-supervised model at every layer."""
    text = (
        "Table 2: features learned with object supervision (ImageNet; ours: the supervised "
        "world-object model) beat every unsupervised or self-supervised model at every layer"
    )
    return [
        table2_claim(
            f"object_beats_self_supervised_voc_{layer}",
            text,
            "greater_than_all",
            ("object",),
            SELF_SUPERVISED,
            "voc",
            layer,
        )
        for layer in LAYERS
    ]


def _max5_claim() -> Claim:
    """§5.1: with globally max-pooled conv5 features the sound models beat the other methods."""
    text = (
        "§5.1: the sound-based models outperformed other methods when the conv5 features were "
        "globally pooled (max5)"
    )
    return table2_claim(
        "sound_best_at_max5_voc",
        text,
        "each_greater",
        SOUND_TEXTURE,
        ("texton_cnn", "kmeans", "random"),
        "voc",
        "max5",
    )


def _sweep_claims(k_small: int = 2, k_ref: int = 30, k_large: int = 120) -> list[Claim]:
    """§5.2 / Fig. 11: accuracy rises with the number of clusters; two clusters is much worse."""
    return [
        Claim(
            f"k{k_ref}_beats_k{k_small}_voc_pool5",
            f"§5.2 / Fig. 11: a substantial decrease in performance when using just {k_small} "
            "clusters",
            "greater", (f"sweep_k{k_ref}",), (f"sweep_k{k_small}",), "voc_map", "pool5",
        ),
        Claim(
            f"k{k_large}_beats_k{k_ref}_voc_pool5",
            f"§5.2 / Fig. 11: a small improvement from increasing the clusters beyond {k_ref}",
            "greater", (f"sweep_k{k_large}",), (f"sweep_k{k_ref}",), "voc_map", "pool5",
        ),
    ]  # fmt: skip


def _table5_claims() -> list[Claim]:
    """§6.1 / Table 5: human sound annotations beat the unsupervised sound labels, not ImageNet."""
    unsup = PublishedRef(
        PAPER, "table5", "VOC/pool5", ("Annotations",), ("Binary", "Cluster (30 clusters)")
    )
    sup = PublishedRef(PAPER, "table5", "VOC/pool5", ("ImageNet",), ("Annotations",))
    return [
        Claim(
            "annotations_beat_sound_labels_voc_pool5",
            "§6.1: the model that used human annotations substantially outperformed our "
            "unsupervised models trained on the same data",
            "greater_than_all", ("annotations",), ("sound_binary", "sound_cluster"), "voc_map",
            "pool5", unsup,
        ),
        Claim(
            "object_beats_annotations_voc_pool5",
            "§6.1: ... while still lagging behind ImageNet-based training",
            "greater", ("object",), ("annotations",), "voc_map", "pool5", sup,
        ),
    ]  # fmt: skip


def owens2018_claims() -> list[Claim]:
    """Every audited image-level claim of Owens et al. 2018 (Tables 2 and 5, §5.2, Fig. 11)."""
    return [
        *_texture_claims(),
        *_baseline_claims(),
        *_supervised_claims(),
        _max5_claim(),
        cluster_claim(
            "above_chance",
            "§5.2: the 30-cluster model chose the correct sound cluster far more often than chance",
        ),
        cluster_claim(
            "above_majority",
            "§5.2: the 30-cluster model beat the baseline of always choosing the most common label",
        ),
        *_sweep_claims(),
        *_table5_claims(),
    ]


def _table1_ref(row: str, share: bool = False) -> PublishedRef:
    """Table 1's Sound and Places columns of ``row`` (as shares of ``# Detectors``)."""
    per = "# Detectors" if share else None
    return PublishedRef(PAPER, "table1", row, ("Sound",), ("Places",), transposed=True, per=per)


SOUND_DETECTORS_ROW = "# Detectors for objects with characteristic sounds"
UNIT_CLAIMS: list[Claim] = [
    unit_claim(
        "sound_more_sound_detectors_than_scene",
        "§4 / Table 1: the sound model has more detectors for objects with characteristic sounds "
        "than the scene-recognition (Places) network",
        "sound_cluster", "scene", "count", "sound", _table1_ref(SOUND_DETECTORS_ROW),
    ),
    unit_claim(
        "sound_higher_share_of_sound_detectors_than_scene",
        "§4 / Table 1: ... both in total number and as a proportion of its detectors",
        "sound_cluster", "scene", "share", "sound", _table1_ref(SOUND_DETECTORS_ROW, share=True),
    ),
    unit_claim(
        "texton_cnn_fewer_detectors_than_sound",
        "§6: the Texton-CNN's convolutional units rarely were selective for objects",
        "sound_cluster", "texton_cnn", "count", "all",
    ),
    unit_claim(
        "audioset_cluster_more_instrument_detectors",
        "§6 / Figs. 12-13: the Cluster model trained on AudioSet has a large number of units "
        "selective for musical instruments, unlike the one trained on Flickr videos",
        "audioset_cluster", "sound_cluster", "count", "instrument",
    ),
]  # fmt: skip
CLAIMS: list[Claim] = owens2018_claims()
