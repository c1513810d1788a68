"""Objects that Sound's AVC statements as auditable claims on per-pair AVC accuracy.

Every claim uses the ``avc_accuracy`` plugin (pairs resampled, paired across models by pair id;
a naive model's held-out pairs are its own, drawn the naive way, so it is resampled on its own
pairs but at the same frames):

- **each network learns AVC** (Sec. 3.1): AVE-Net and L3-Net above 50 % chance;
- **AVE-Net vs L3-Net** (Sec. 3.1: 81.9 % vs 80.8 %): audited as AVE > L3, so *inconclusive*
  means the two are not told apart;
- **naive pairs inflate AVC accuracy** (Sec. 3.3: 87.6 % without shortcut prevention vs 81.9 %,
  "artificially high"): each network on naive pairs beats itself with prevention (the paper
  prints only AVE-Net's).

Table 1 (nDCG@30, the ``ndcg`` plugin on ``<retrieval_dir>/<method>/ndcg.npz``, queries paired
across methods, layer = direction):

- **AVE-Net beats every baseline** in every direction the baseline has (random, L3-Net, L3-Net
  + CCA, the object network alone for im-im and + L3-audio CCA);
- **CCA aligns L3-Net's modalities**: L3 + CCA beats L3 in both cross-modal directions (the
  paper's "L3 cross-modal near chance" is the same comparison's other side, not audited apart);
- **naive pairs hurt retrieval** (Sec. 3.3: "1-2 % worse"): AVE-Net with shortcut prevention
  beats itself on naive pairs in every direction.

Localisation (Sect. 4, the ``pointing`` and ``map_peak`` plugins on
``<localisation_dir>/avol/pointing.npz``, frames paired):

- **AVOL-Net points better than the centre of the image** (81.7 % vs 57.2 %);
- **mismatched audio lowers the map** (Fig. 6: drums on a violin frame give an empty map): the
  map's peak with the frame's own audio beats its peak with another category's audio.
"""

from __future__ import annotations

from soundsight.papers.l3net.claims import METRIC, above_chance
from soundsight.papers.objects_sound.tables import (
    AVE,
    AVE_NAIVE,
    AVOL,
    CENTRE,
    COLUMN,
    DIRECTIONS,
    L3,
    L3_NAIVE,
    LOCALISATION_COLUMN,
    PAPER,
    PREVENTION,
    RETRIEVAL_METHODS,
    ROWS,
    TABLE,
    TABLE1,
    localisation_table,
)
from soundsight.report.audit import Claim, PublishedRef

AUDIT_TITLE = "Objects that Sound (Arandjelović & Zisserman 2018): claims audit"
NAMES = {AVE: "AVE-Net", L3: "L3-Net", AVE_NAIVE: "AVE-Net", L3_NAIVE: "L3-Net"}
NDCG_METRIC = "ndcg"
POINTING_METRIC, PEAK_METRIC = "pointing", "map_peak"
TABLE1_BASELINES = ("random", L3, "l3_cca", "object", "object_cca")  # AVE-Net >= each


def _printed(left: str | None, right: str | None, table: str, column: str) -> PublishedRef | None:
    """The printed cells of two rows of ``table``, None when one side has no printed row."""
    if left is None or right is None:
        return None
    return PublishedRef(PAPER, table, column, (left,), (right,))


def _ref(left: str, right: str) -> PublishedRef | None:
    """The printed AVC cells of both models."""
    return _printed(ROWS[left].published_row, ROWS[right].published_row, TABLE, COLUMN)


def naive_claim(model: str) -> Claim:
    """Sec. 3.3: ``model`` trained on naive pairs scores higher than with shortcut prevention."""
    naive = PREVENTION[model]
    return Claim(
        f"naive_beats_prevention_{model}",
        f"Sec. 3.3 ({NAMES[model]}): without shortcut prevention the AVC accuracy is higher "
        "(artificially: the network can use the frame-aligned audio as a shortcut)",
        "greater", (naive,), (model,), METRIC, published=_ref(naive, model),
    )  # fmt: skip


def objects_sound_claims() -> list[Claim]:
    """Every audited AVC claim of Objects that Sound."""
    chance = [
        above_chance(
            m,
            f"{m}_avc_above_chance",
            f"Sec. 3.1: {NAMES[m]} learns audio-visual correspondence, well above 50 % chance",
            PAPER,
            TABLE,
            NAMES[m],
            COLUMN,
        )  # fmt: skip
        for m in (AVE, L3)
    ]
    ave_vs_l3 = Claim(
        "ave_beats_l3_avc",
        "Sec. 3.1: AVE-Net's AVC accuracy is on par with L3-Net's, slightly higher (81.9 % vs "
        "80.8 %; audited as >)",
        "greater", (AVE,), (L3,), METRIC, published=_ref(AVE, L3),
    )  # fmt: skip
    return [*chance, ave_vs_l3, *(naive_claim(m) for m in (AVE, L3))]


def _table1_ref(left: str, right: str, direction: str) -> PublishedRef | None:
    """The printed Table 1 cells of two methods in one direction, None without both rows."""
    rows = RETRIEVAL_METHODS[left].row.published_row, RETRIEVAL_METHODS[right].row.published_row
    return _printed(*rows, TABLE1, direction)


def ndcg_claim(left: str, right: str, direction: str, name: str, text: str) -> Claim:
    """``left``'s nDCG@30 beats ``right``'s in ``direction``."""
    ref = _table1_ref(left, right, direction)
    return Claim(name, text, "greater", (left,), (right,), NDCG_METRIC, direction, published=ref)


def table1_claims(methods: list[str] | tuple[str, ...]) -> list[Claim]:
    """Table 1's claims among the ``methods`` this DAG retrieves with (see the module)."""
    have = set(methods)
    claims = []
    for base in (b for b in TABLE1_BASELINES if {AVE, b} <= have):
        for d in RETRIEVAL_METHODS[base].directions:
            text = (
                f"Table 1 ({d}): AVE-Net retrieves better than "
                f"{RETRIEVAL_METHODS[base].row.published_row} (nDCG@30)"
            )
            claims.append(ndcg_claim(AVE, base, d, f"ave_beats_{base}_{d}", text))
    if {L3, "l3_cca"} <= have:
        for d in ("im-aud", "aud-im"):
            text = (
                f"Table 1 ({d}): L3-Net's embeddings are not aligned across modalities: a CCA "
                "makes cross-modal retrieval better (.531 / .560 vs .418 / .385)"
            )
            claims.append(ndcg_claim("l3_cca", L3, d, f"cca_aligns_l3_{d}", text))
    if {AVE, AVE_NAIVE} <= have:
        for d in DIRECTIONS:
            text = (
                f"Sec. 3.3 ({d}): AVE-Net trained without shortcut prevention retrieves worse "
                "(1-2 % lower nDCG@30)"
            )
            claims.append(ndcg_claim(AVE, AVE_NAIVE, d, f"naive_hurts_retrieval_{d}", text))
    return claims


def localisation_claims(model: str = AVOL) -> list[Claim]:
    """Sect. 4's claims on ``model``'s maps of the localisation frames."""
    rows = localisation_table().rows
    ref = _printed(rows[AVOL].published_row, rows[CENTRE].published_row, TABLE, LOCALISATION_COLUMN)
    return [
        Claim(
            "avol_beats_centre",
            "Sect. 4.1: the mode of AVOL-Net's map finds the sounding object more often than the "
            "centre of the image (81.7 % vs 57.2 %)",
            "above_centre",
            (model,),
            (),
            POINTING_METRIC,
            published=ref,
        ),  # fmt: skip
        Claim(
            "mismatched_audio_lowers_map",
            "Fig. 6: with another category's audio (drums on a violin frame) the map is empty: "
            "its peak is lower than with the frame's own audio",
            "above_mismatched",
            (model,),
            (),
            PEAK_METRIC,
        ),  # fmt: skip
    ]
