"""SoundNet's statements as auditable claims on clip accuracy (the ``clip_accuracy`` plugin).

A claim's sides are **keys** ``<source>/<layer>``: one network's probed layer (``soundnet8/
pool5``), a scratch net's (``scratch_soundnet5/conv4``), the MFCC baseline (``mfcc_svm/mfcc``)
or a Table 7 feature set (``t7/soundnet8/vision``). :func:`clip_sources` maps each key to the
npz it is read from per benchmark (the claim's layer: ``esc50``, ``dcase2013``, ``t7``), so
every comparison is paired over the same test clips, fold by fold.

- **Table 5**: KL beats ℓ2; both teachers beat either alone; 8 layers on video beat 5 layers on
  video, which beat 5 layers from scratch, which beat 8 layers from scratch (ESC-50, at
  ``soundnet.table_layer``; SoundNet-5 at its top trunk layer, conv4, since it has no pool5).
- **Table 6**: the middle layer (pool5) beats conv4, conv7 and conv8 (ESC-50 and DCASE); conv8
  is the worst layer on ESC-50 (the strong teachers' student).
- **Table 4**: SoundNet beats the MFCC-SVM baseline computed here.
- **Table 7**: vision + sound beats vision, vision beats sound, sound beats the majority class.

The published side reads the same cells of the paper's tables (Table 6 and 7 compare columns of
one printed row: ``transposed``); Table 7's majority class has no printed cell in that table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from soundsight.papers.soundnet.tables import PAPER
from soundsight.report.audit import Claim, PublishedRef

AUDIT_TITLE = "SoundNet (Aytar, Vondrick & Torralba 2016): claims audit"
METRIC = "clip_accuracy"
TOP5 = "conv4"  # SoundNet-5's top trunk layer: its pool5 analogue
MFCC = "mfcc_svm/mfcc"
T7 = "t7/soundnet8"  # Table 7's feature sets, from probes/soundnet8/multimodal.npz
MID_LAYER = "pool5"
LAYERS = ("conv4", "conv5", "pool5", "conv6", "conv7", "conv8")
ESC_BENCHES = ("esc50", "esc10")


def key(source: str, layer: str) -> str:
    """``<source>/<layer>``: a claim side."""
    return f"{source}/{layer}"


def clip_sources(probes_dir: str | Path, keys: Iterable[str]) -> dict[str, dict[str, tuple]]:
    """``{key: {benchmark: (npz, benchmark in the file)}}`` for the ``clip_accuracy`` plugin."""
    root = Path(probes_dir)
    out: dict[str, dict[str, tuple]] = {}
    for k in keys:
        source, _, layer = k.rpartition("/")
        if source.startswith("t7/"):
            out[k] = {"t7": (root / source[3:] / "multimodal.npz", f"t7_{layer}")}
            continue
        if source == "mfcc_svm":
            esc, dcase = root / source / "esc50.npz", root / source / "dcase2013.npz"
        elif source.startswith("scratch_"):
            esc = root / "scratch" / source.removeprefix("scratch_") / "esc50.npz"
            dcase = None
        else:
            esc, dcase = root / source / "esc50_layers.npz", root / source / "dcase2013_layers.npz"
        out[k] = {b: (esc, f"{b}_{layer}") for b in ESC_BENCHES}
        if dcase is not None:
            out[k]["dcase2013"] = (dcase, f"dcase2013_{layer}")
    return out


def _claim(
    name: str, text: str, kind: str, left: tuple[str, ...], right: tuple[str, ...], bench: str,
    ref: PublishedRef | None,
) -> Claim:  # fmt: skip
    return Claim(name, text, kind, left, right, METRIC, bench, published=ref)


def _rows(table: str, column: str, left: tuple[str, ...], right: tuple[str, ...]) -> PublishedRef:
    return PublishedRef(PAPER, table, column, left, right)


def _columns(table: str, row: str, left: tuple[str, ...], right: tuple[str, ...]) -> PublishedRef:
    """Printed cells of one row's columns (Tables 6 and 7 list layers / features as columns)."""
    return PublishedRef(PAPER, table, row, left, right, transposed=True)


def table5_claims(layer: str = "pool5") -> list[Claim]:
    """Table 5's orderings on ESC-50 at ``layer``."""
    net8, net5 = key("soundnet8", layer), key("soundnet5", TOP5)
    scratch8, scratch5 = key("scratch_soundnet8", layer), key("scratch_soundnet5", TOP5)
    col = "ESC-50"
    return [
        _claim("kl_beats_l2", "Table 5: the KL loss gives better sound features than ℓ2",
               "greater", (net8,), (key("soundnet8_l2", layer),), "esc50",
               _rows("table5", col, ("8 Layer, KL Loss",), ("8 Layer, ℓ2 Loss",))),
        _claim("both_teachers_beat_each", "Table 5: both teachers together beat either alone",
               "greater_than_all", (net8,),
               (key("soundnet8_object", layer), key("soundnet8_scene", layer)), "esc50",
               _rows("table5", col, ("8 Layer, Both",),
                     ("8 Layer, ImageNet Only", "8 Layer, Places Only"))),
        _claim("deeper_on_video", "Table 5: on video, 8 layers beat 5 layers", "greater",
               (net8,), (net5,), "esc50",
               _rows("table5", col, ("8 Layer, Unlabeled Video",), ("5 Layer, Unlabeled Video",))),
        _claim("video_beats_scratch_5", "Table 5: 5 layers trained on video beat 5 layers "
               "trained from scratch on the labelled set", "greater", (net5,), (scratch5,),
               "esc50",
               _rows("table5", col, ("5 Layer, Unlabeled Video",), ("5 Layer, Scratch Init",))),
        _claim("scratch5_beats_scratch8", "Table 5: from scratch on the small labelled set, 5 "
               "layers beat 8 (the deeper net overfits)", "greater", (scratch5,), (scratch8,),
               "esc50",
               _rows("table5", col, ("5 Layer, Scratch Init",), ("8 Layer, Scratch Init",))),
    ]  # fmt: skip


def table6_claims() -> list[Claim]:
    """Table 6's layer orderings of the strong teachers' student."""
    at = {layer: key("soundnet8", layer) for layer in LAYERS}
    outer = ("conv4", "conv7", "conv8")
    claims = [
        _claim(f"mid_layer_best_{bench}", f"Table 6 ({name}): the middle layer (pool5) beats the "
               "early (conv4) and the late layers (conv7, conv8)", "greater_than_all",
               (at[MID_LAYER],), tuple(at[x] for x in outer), bench,
               _columns("table6", f"{row}/8 Layer, VGG", (MID_LAYER,), outer))
        for bench, name, row in (("esc50", "ESC-50", "ESC50"), ("dcase2013", "DCASE", "DCASE"))
    ]  # fmt: skip
    others = tuple(x for x in LAYERS if x != "conv8")
    claims.append(
        _claim("conv8_worst_esc50", "Table 6 (ESC-50): conv8 is the worst layer", "each_greater",
               tuple(at[x] for x in others), (at["conv8"],), "esc50",
               _columns("table6", "ESC50/8 Layer, VGG", others, ("conv8",)))
    )  # fmt: skip
    return claims


def table4_claims(layer: str = "pool5") -> list[Claim]:
    """SoundNet beats the MFCC-SVM baseline computed here (Table 4)."""
    return [
        _claim("soundnet_beats_mfcc", "Table 4: SoundNet's features beat the MFCC-SVM baseline "
               "on ESC-50", "greater", (key("soundnet8", layer),), (MFCC,), "esc50",
               _rows("table4", "ESC-50", ("SoundNet",), ("SVM-MFCC [28]",))),
    ]  # fmt: skip


def table7_claims() -> list[Claim]:
    """Table 7: vision + sound >= vision > sound > the majority class (conv7 features)."""
    both, vision, sound = (key(T7, f) for f in ("both_conv7", "vision", "sound_conv7"))
    row = "8 Layer, conv7"
    return [
        _claim("vision_sound_beats_vision", "Table 7: vision and sound together beat vision "
               "alone", "greater", (both,), (vision,), "t7",
               _columns("table7", row, ("vision+sound",), ("vision",))),
        _claim("vision_beats_sound", "Table 7: vision features beat sound features", "greater",
               (vision,), (sound,), "t7", _columns("table7", row, ("vision",), ("sound",))),
        _claim("sound_beats_majority", "Table 7 / Sec. 4.3: sound features beat the most common "
               "class (32.4 % vs 14 %)", "greater", (sound,), (key(T7, "majority"),), "t7", None),
    ]  # fmt: skip


def soundnet_claims(layer: str = "pool5") -> list[Claim]:
    """Every audited claim of SoundNet."""
    return [*table5_claims(layer), *table6_claims(), *table4_claims(layer), *table7_claims()]


def claim_keys(claims: Iterable[Claim]) -> list[str]:
    """Every key the claims compare, once each."""
    return list(dict.fromkeys(k for c in claims for k in (*c.left, *c.right)))


def sources_for(
    probes_dir: str | Path, claims: Iterable[Claim], extra: Iterable[str] = ()
) -> Mapping[str, dict[str, tuple]]:
    """:func:`clip_sources` of every key of ``claims`` (and ``extra``)."""
    return clip_sources(probes_dir, [*claim_keys(claims), *extra])


def present_keys(claims: Iterable[Claim], sources: Mapping[str, Mapping[str, tuple]]) -> dict:
    """``{benchmark: [keys]}``: each claim benchmark's keys whose file exists (the ceiling check's
    lines; a line not made in this DAG is left to its claims' ``not evaluated``)."""
    out: dict[str, list[str]] = {}
    for claim in claims:
        bench = claim.layer or ""
        for k in (*claim.left, *claim.right):
            found = sources.get(k, {}).get(bench)
            if found is not None and _has(Path(found[0]), found[1]) and k not in out.get(bench, []):
                out.setdefault(bench, []).append(k)
    return out


def _has(path: Path, bench: str) -> bool:
    """Whether ``path`` holds fold 1 of ``bench`` (a layer the net was probed at)."""
    if not path.is_file():
        return False
    with np.load(path, allow_pickle=False) as data:
        return f"correct_{bench}_f1" in data.files


def audit_inputs(
    probes_dir: str | Path, models_dir: str | Path, claims: Sequence[Claim]
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """``run_audit``'s inputs (clip sources, the models folder) and the present keys."""
    sources = sources_for(probes_dir, claims)
    inputs = {"clip_sources": sources, "models_dir": Path(models_dir)}
    return inputs, present_keys(claims, sources)
