# Helpers only: config validation and the functions that locate inputs and targets.
from functools import lru_cache
from pathlib import Path

from soundsight.config import (
    audioset_world,
    check_sources,
    load_schema,
    validate_config,
)

_SCHEMA = Path(workflow.current_basedir).parent / "schemas" / "config.schema.yaml"
_validated = validate_config(config, load_schema(_SCHEMA))
config.clear()
config.update(_validated)
check_sources(config)

R = config["results"]
LOGS = f"{R}/logs"
WORLD = f"{R}/world"
AS = f"{R}/audioset"  # the second corpus (AudioSet analogue, Owens et al. §6)
DOWNLOADS = config["download"]["dir"]


def archive_names():
    """Names of the downloadable dataset archives (soundsight.data.download.ARCHIVES)."""
    from soundsight.data.download import ARCHIVES

    return list(ARCHIVES)


def is_world(source):
    """True when the dataset ``source`` (a key of config['sources']) is the embedded world."""
    return config["sources"][source] == "world"


def video_source(source="videos"):
    """The video directory or manifest that ingest reads (`videos` or `audioset`)."""
    if not is_world(source):
        return config["sources"][source]
    return f"{WORLD}/videos.csv" if source == "videos" else f"{AS}/world/videos.csv"


@lru_cache(maxsize=None)
def n_input_videos(source="videos"):
    """Number of input videos, known at DAG-build time (world: from config)."""
    if is_world(source):
        world = config["world"] if source == "videos" else audioset_world(config)
        return world["n_videos"] + world["n_bad_videos"]
    from soundsight.data import count_videos

    return count_videos(config["sources"][source])


@lru_cache(maxsize=None)
def shard_ids(source="videos"):
    """Zero-padded ids of the ingest shards: one job per shard, never one per video."""
    from soundsight.data import n_shards

    n = n_shards(n_input_videos(source), config["ingest"]["shard_size"])
    return [f"{i:05d}" for i in range(n)]


def voc_root():
    return f"{WORLD}/VOC2007" if is_world("voc2007") else config["sources"]["voc2007"]


def sun_root():
    return f"{WORLD}/SUN397" if is_world("sun397") else config["sources"]["sun397"]


def label_outputs():
    """Every label artifact of the sound-prediction models."""
    ks = config["labels"]["k"]
    return (
        [f"{R}/labels/clusters_k{k}.csv" for k in ks]
        + [f"{R}/labels/codes_{t}.csv" for t in ("binary", "spectrum")]
        + [f"{R}/labels/scaling_effect.json"]
    )


def all_outputs():
    """Targets of the default target: everything the DAG can make so far."""
    outs = [f"{R}/ingest/index.csv", f"{R}/features/sound.npz"] + label_outputs()
    outs += [
        f"{R}/tables/owens2018/table2.md",
        f"{R}/tables/owens2018/cluster_accuracy.json",
        f"{R}/audit/owens2018.md",
        f"{R}/tables/owens2018/table4.md",
        f"{R}/figures/owens2018/fig2_texture_example.png",
        f"{R}/figures/owens2018/fig3_audio_clusters.png",
        f"{R}/figures/owens2018/fig10_cam_categories.png",
        f"{R}/figures/owens2018/fig11_map_vs_clusters.png",
        f"{R}/tables/owens2018/table3.md",
    ]
    if config["table5"]["annotations"]:
        outs.append(f"{R}/tables/owens2018/table5.md")
    if audioset_models():  # Figs. 12/13 label units with the world's object masks
        fig13 = f"{R}/figures/owens2018/fig13_audioset_instrument_units.png"
        outs.append(
            fig13 if is_world("videos") else f"{R}/models/audioset_cluster/model.pt"
        )
    outs += unit_outputs()
    if is_world("voc2007"):
        outs.append(f"{WORLD}/VOC2007")
    if is_world("sun397"):
        outs.append(f"{WORLD}/SUN397")
    return outs


K0 = config["labels"]["k"][0]


def _task(labels, kind, n_classes=None, model=None, iterations=None, corpus=R):
    """One pretext model: its label table, task kind, corpus folder and optional overrides."""
    return {
        "labels": labels,
        "kind": kind,
        "n_classes": n_classes,
        "model": model,
        "iterations": iterations,
        "corpus": corpus,
    }


def audioset_models():
    """The Cluster model trained on the second corpus (Figs. 12/13), when enabled."""
    if not config["audioset"]["enabled"]:
        return {}
    k = config["audioset"]["cluster_k"]
    labels = f"{AS}/labels/clusters_k{k}.csv"
    return {"audioset_cluster": _task(labels, "cluster", k, corpus=AS)}


def pretext_models():
    """Every trained model: Table 2's, the CAM model, the cluster sweep, the annotation model."""
    models = {
        "sound_cluster": _task(f"{R}/labels/clusters_k{K0}.csv", "cluster", K0),
        "sound_binary": _task(f"{R}/labels/codes_binary.csv", "code"),
        "sound_spectrum": _task(f"{R}/labels/codes_spectrum.csv", "code"),
        "texton_cnn": _task(f"{R}/labels/textons_k{K0}.csv", "cluster", K0),
        "sound_cluster_cam": _task(
            f"{R}/labels/clusters_k{K0}.csv", "cluster", K0, model="caffenet_bn_cam"
        ),
    }
    sweep = config["figure11"]
    for k in sweep["k"]:
        models[f"sweep_k{k}"] = _task(
            f"{R}/labels/clusters_k{k}.csv",
            "cluster",
            k,
            iterations=sweep["iterations"],
        )
    if is_world("videos"):
        from soundsight.world import SCENE_NAMES

        models["object"] = _task(f"{R}/labels/world_objects.csv", "code")
        models["scene"] = _task(
            f"{R}/labels/world_scene.csv", "cluster", len(SCENE_NAMES)
        )
    if config["table5"]["annotations"]:
        models["annotations"] = _task(f"{R}/labels/annotations.csv", "code")
    return models | audioset_models()


TABLE2_TRAINED = [
    "sound_cluster",
    "sound_binary",
    "sound_spectrum",
    "texton_cnn",
    "object",
    "scene",
]


INIT_MODELS = ["random", "kmeans"]


def table2_models():
    """Every replicated row of Table 2."""
    return [m for m in TABLE2_TRAINED if m in pretext_models()] + INIT_MODELS


def shard_dirs(corpus=R):
    """Ingest shard folders of a corpus (R: the first; AS: the AudioSet analogue)."""
    source = "videos" if corpus == R else "audioset"
    return expand(f"{corpus}/ingest/shards/{{shard}}", shard=shard_ids(source))


def task_frames(wildcards):
    """Frame index and shards the pretext model ``wildcards.model`` trains on."""
    corpus = pretext_models()[wildcards.model]["corpus"]
    return {"index": f"{corpus}/ingest/index.csv", "shards": shard_dirs(corpus)}


def table1_models():
    """Models compared in Table 1 (the sound model and the scene-supervised one)."""
    return [m for m in ("sound_cluster", "scene") if m in pretext_models()]


def unit_outputs():
    """Unit-selectivity artifacts (they need the world's ground-truth masks)."""
    if not is_world("videos"):
        return []
    units = config["units"]
    outs = [
        f"{R}/figures/owens2018/fig4_detectors_vs_threshold.png",
        f"{R}/tables/owens2018/table1.md",
    ]
    outs += [
        f"{R}/figures/owens2018/units/{m}_top5.png" for m in available(units["models"])
    ]
    outs += [f"{R}/units/{m}/gallery" for m in available(units["gallery_models"])]
    outs += [f"{R}/units/{m}/human_labels.csv" for m in units["human_sheets"]]
    return outs


def fig12_models():
    """Fig. 12 compares the AudioSet-analogue Cluster model with the first corpus's."""
    return ["audioset_cluster", "sound_cluster"]


def table5_rows():
    """Table 5 models -> the paper's rows (annotation model vs unsupervised sound labels)."""
    k = config["table5"]["cluster_k"]
    rows = {
        "annotations": "Annotations",
        "sound_binary": "Binary",
        "sound_cluster": f"Cluster ({K0} clusters)",
        f"sweep_k{k}": f"Cluster ({k} clusters)",
        "object": "ImageNet",
    }
    return {m: r for m, r in rows.items() if m in pretext_models()}


def audit_voc_models():
    """Models whose VOC test scores the audit resamples (Tables 2 and 5, the Fig. 11 sweep)."""
    models = table2_models() + [m for m in table5_rows() if m not in table2_models()]
    return models + [f"sweep_k{k}" for k in config["figure11"]["k"]]


def audit_unit_models():
    """Models whose unit labels the §4 claims compare (world only: they need object masks)."""
    if not is_world("videos"):
        return []
    models = [
        m
        for m in ("sound_cluster", "scene", "texton_cnn")
        if m in available(config["units"]["models"])
    ]
    return models + list(audioset_models())


def available(models):
    """The models of a config list that this DAG can make (object/scene need the world)."""
    known = set(pretext_models()) | set(INIT_MODELS)
    return [m for m in models if m in known]
