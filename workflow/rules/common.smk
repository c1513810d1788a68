# Helpers only: config validation and the functions that locate inputs and targets.
import re
from functools import lru_cache
from pathlib import Path

from soundsight.config import (
    ConfigError,
    check_local_teachers,
    check_sources,
    corpora,
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
WORLD = f"{R}/world"  # the image datasets' worlds (VOC2007, SUN397)
DOWNLOADS = config["download"]["dir"]
# every declared video corpus: name -> soundsight.config.Corpus
CORPORA = corpora(config)


def corpus_dir(corpus):
    """Results folder of a video corpus: its world, ingest, features and labels."""
    return f"{R}/corpora/{corpus}"


# the first corpus (Owens' Flickr videos; on the world, the AmbientWorld's)
VIDEOS = corpus_dir("videos")
CORPUS = corpus_dir("{corpus}")  # output patterns of the per-corpus rules
CORPUS_LOGS = f"{LOGS}/corpora/{{corpus}}"


def one_of(names):
    """A wildcard constraint matching exactly ``names`` (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


def corpus_names(world_only=False):
    """The enabled video corpora (the `{corpus}` wildcard), optionally only world-rendered ones."""
    return [
        c.name for c in CORPORA.values() if c.enabled and (c.is_world or not world_only)
    ]


def archive_names():
    """Names of the downloadable dataset archives (soundsight.data.download.ARCHIVES)."""
    from soundsight.data.download import ARCHIVES

    return list(ARCHIVES)


def is_world(source):
    """True when the dataset ``source`` (a key of config['sources']) is the embedded world."""
    return config["sources"][source] == "world"


def video_source(corpus):
    """The video directory or manifest that ingest reads for ``corpus``."""
    c = CORPORA[corpus]
    return f"{corpus_dir(corpus)}/world/videos.csv" if c.is_world else c.source


@lru_cache(maxsize=None)
def n_input_videos(corpus):
    """Number of input videos of a corpus, known at DAG-build time (world: from config)."""
    c = CORPORA[corpus]
    if c.is_world:
        return c.world["n_videos"] + c.world["n_bad_videos"]
    from soundsight.data import count_videos

    return count_videos(c.source)


@lru_cache(maxsize=None)
def shard_ids(corpus):
    """Zero-padded ids of a corpus's ingest shards: one job per shard, never one per video."""
    from soundsight.data import n_shards

    n = n_shards(n_input_videos(corpus), config["ingest"]["shard_size"])
    return [f"{i:05d}" for i in range(n)]


def voc_root():
    return f"{WORLD}/VOC2007" if is_world("voc2007") else config["sources"]["voc2007"]


def sun_root():
    return f"{WORLD}/SUN397" if is_world("sun397") else config["sources"]["sun397"]


def audio_probe_root(dataset):
    """The ESC-50 or DCASE 2013 folder an audio probe reads: the world's (for DCASE its
    world.json, beside the dev and test folders), or `sources.<name>`."""
    if is_world(dataset):
        return (
            f"{WORLD}/ESC-50-master"
            if dataset == "esc50"
            else f"{WORLD}/DCASE2013/world.json"
        )
    return config["sources"][dataset]


def kinetics_manifest():
    """The labelled clip manifest L3-Net's embeddings read: the world's Kinetics-Sounds-style
    one, or `sources.kinetics_sounds`."""
    if is_world("kinetics_sounds"):
        return f"{WORLD}/KineticsSounds/kinetics_sounds.csv"
    return config["sources"]["kinetics_sounds"]


def world_audio_rate():
    """The rate the world renders its audio at: `world.audio_rate`, or `ingest.audio_rate`
    when it is null (ingest then reads the videos at their own rate)."""
    return config["world"].get("audio_rate") or config["ingest"]["audio_rate"]


def localisation_root():
    """The sound-source localisation set (frames.csv, objects.csv, images/, audio/): the
    world's, or `sources.localisation`."""
    if is_world("localisation"):
        return f"{WORLD}/Localisation"
    return config["sources"]["localisation"]


# Google's segment lists of an AudioSet(-Instruments) folder, by split (Objects that Sound Table 1)
AUDIOSET_SEGMENTS = {
    "train": "balanced_train_segments.csv",
    "eval": "eval_segments.csv",
}


def audioset_instruments(name):
    """A file of the AudioSet-style segment set that Objects that Sound's Table 1 reads: the
    world's (results/world/AudioSet), or under `sources.audioset_instruments`."""
    if is_world("audioset_instruments"):
        return f"{WORLD}/AudioSet/{name}"
    return f"{config['sources']['audioset_instruments']}/{name}"


def audioset_instruments_clips():
    """The folder of the segments' clips: the labelled world corpus's videos, or `clips/` under
    `sources.audioset_instruments`."""
    if is_world("audioset_instruments"):
        return f"{corpus_dir(LABEL_SET_CORPUS)}/world/videos"
    return f"{config['sources']['audioset_instruments']}/clips"


def label_outputs():
    """Every label artifact of the sound-prediction models."""
    ks = config["labels"]["k"]
    return (
        [f"{VIDEOS}/labels/clusters_k{k}.csv" for k in ks]
        + [f"{VIDEOS}/labels/codes_{t}.csv" for t in ("binary", "spectrum")]
        + [f"{VIDEOS}/labels/scaling_effect.json"]
    )


PAPER_TARGETS = (
    {}
)  # paper -> function of its default targets; workflow/papers/<paper>.smk adds one


def audit_papers():
    """The registered papers whose targets include their audit, `<results>/audit/<paper>.md`."""
    return [
        p for p, targets in PAPER_TARGETS.items() if f"{R}/audit/{p}.md" in targets()
    ]


def all_outputs():
    """Targets of the default target: the shared stages' outputs, every paper's targets and
    the audit overview across papers."""
    outs = [f"{VIDEOS}/ingest/index.csv", f"{VIDEOS}/features/sound.npz"]
    outs += label_outputs()
    for targets in PAPER_TARGETS.values():
        outs += targets()
    if audit_papers():
        outs.append(f"{R}/audit/index.md")
    if is_world("voc2007"):
        outs.append(f"{WORLD}/VOC2007")
    if is_world("sun397"):
        outs.append(f"{WORLD}/SUN397")
    return outs


K0 = config["labels"]["k"][0]


def _load_models():
    """The model sheet (config key `model_sheet`), checked and resolved under this config."""
    from soundsight.models import list_models
    from soundsight.sheet import load_models
    from soundsight.world import SCENE_NAMES

    schema = Path(workflow.current_basedir).parent / "schemas" / "models.schema.yaml"
    return load_models(
        config["model_sheet"],
        schema,
        config,
        architectures=list_models(),
        corpora=CORPORA,
        fixed_classes={"world_scene": len(SCENE_NAMES)},
    )


MODELS = _load_models()  # every model of the sheet; `enabled`: its `requires` hold here
check_local_teachers(config, [n for n, m in MODELS.items() if m.enabled])


def sheet_models(task=None):
    """Names of the sheet's models in this DAG (sheet order), of one task or of all."""
    return [
        n for n, m in MODELS.items() if m.enabled and (task is None or m.task == task)
    ]


def pretext_models():
    """Every trained model of this DAG (the sheet's cluster, code and correspondence rows)."""
    return [n for n in sheet_models() if MODELS[n].task != "init"]


def trained_among(models):
    """The trained models of ``models`` (each once, in order): those with held-out results."""
    trained = set(pretext_models())
    return [m for m in dict.fromkeys(models) if m in trained]


def heldout_files(models, name="heldout.npz"):
    """`<results>/models/<model>/<name>` of each model (its per-frame held-out results)."""
    return [f"{R}/models/{m}/{name}" for m in models]


def avc_models():
    """The correspondence models of this DAG (L3-Net, AVE-Net; `avc.enabled`)."""
    return sheet_models("correspondence")


def init_models():
    """The initialised, untrained baselines (the sheet's init rows: random, k-means)."""
    return sheet_models("init")


def train_task(name):
    """What train_pretext.py needs of model ``name``: label table, task, output size and the
    overrides of the `pretext` config (None: keep the config's value); a correspondence model
    also gets the `avc` section's settings and how its pairs are drawn (avc_task)."""
    m = MODELS[name]
    task = {
        "labels": f"{corpus_dir(m.corpus)}/labels/{m.targets}.csv",
        "kind": m.task,
        "n_classes": m.n_classes,
        "model": m.architecture,
        "iterations": m.iterations,
        "optimizer": m.optimizer,
        "schedule": m.schedule,
        "input_size": m.input_size,
        "batch_size": m.batch_size,
        "lr": m.lr,
        "corpus": corpus_dir(m.corpus),
    }
    if m.task == "correspondence":
        return task | avc_task(m)
    if m.task == "distillation":
        return task | distill_task(m)
    return task


def distill_task(m):
    """A distillation model's teacher cache (`labels/<cache>.npz`, split.csv beside it; the
    row's targets `<cache>_<heads>`) and the `soundnet` section's settings over `pretext`.
    """
    from soundsight.config import (
        distill_target,
        soundnet_overrides,
    )  # torch-free, like the whole DAG build

    sn = config["soundnet"]
    cache, heads = distill_target(sn, m.targets)
    return {
        "labels": f"{corpus_dir(m.corpus)}/labels/{cache}.npz",  # every head; the row picks
        "settings": soundnet_overrides(sn),
        "distill": {
            "heads": heads,
            "divergence": m.divergence or sn["divergence"],
            "steps": sn["steps"],
            "step_s": sn["teacher_step_s"],
        },
    }


def avc_task(m):
    """A correspondence model's `avc` settings over `pretext` and its pairs: the sheet's
    sampler, `avc.pairs` and the world's frame rate when the corpus is rendered."""
    from soundsight.config import avc_overrides  # torch-free, like the whole DAG build

    c = CORPORA[m.corpus]
    return {
        "settings": avc_overrides(config["avc"]),
        "pairs": config["avc"]["pairs"],
        "sampler": m.pairs,
        "world_fps": c.world["fps"] if c.is_world else None,
    }


def teacher_models(cache="teachers"):
    """`{head: sheet model}` of a teacher cache (`teachers`: soundnet.teachers; `teachers_weak`:
    soundnet.weak_teachers, Table 6's weaker pair)."""
    from soundsight.config import teacher_set  # torch-free, like the whole DAG build

    return teacher_set(config["soundnet"], cache)


def local_teacher_entries():
    """`soundnet.local_teachers`: the teachers read from the user's own weights."""
    from soundsight.config import local_teachers  # torch-free, like the whole DAG build

    return local_teachers(config["soundnet"])


def teacher_weights(cache="teachers"):
    """The weights of a teacher cache's models, in the order of their heads: a local
    teacher's own file, else the model this DAG trains."""
    local = local_teacher_entries()
    return [
        local[m]["weights"] if m in local else f"{R}/models/{m}/model.pt"
        for m in teacher_models(cache).values()
    ]


def init_pretext(name):
    """The `pretext` config with the init model ``name``'s architecture (and input size) over it;
    an architecture the sheet's correspondence rows train (L3-Net) is built as they build it,
    with the `avc` section's settings (width, input size, audio rate, n_fft)."""
    from soundsight.config import avc_overrides  # torch-free, like the whole DAG build

    m = MODELS[name]
    over = {"model": m.architecture, "input_size": m.input_size}
    avc_archs = {r.architecture for r in MODELS.values() if r.task == "correspondence"}
    base = config["pretext"]
    if m.architecture in avc_archs:
        base = base | avc_overrides(config["avc"])
    return base | {k: v for k, v in over.items() if v is not None}


def shard_dirs(corpus):
    """Ingest shard folders of a corpus."""
    return expand(
        f"{corpus_dir(corpus)}/ingest/shards/{{shard}}", shard=shard_ids(corpus)
    )


def feature_shards(corpus):
    """Per-shard audio feature files of a corpus."""
    return expand(
        f"{corpus_dir(corpus)}/features/shards/{{shard}}.npz", shard=shard_ids(corpus)
    )


def task_frames(wildcards):
    """Frame index and shards the pretext model ``wildcards.model`` trains on."""
    m = MODELS[wildcards.model]
    frames = {
        "index": f"{corpus_dir(m.corpus)}/ingest/index.csv",
        "shards": shard_dirs(m.corpus),
    }
    if m.task in (
        "correspondence",
        "distillation",
    ):  # whole tracks: tracks.csv, tracks.npy
        frames["tracks"] = f"{corpus_dir(m.corpus)}/ingest/tracks.csv"
    if m.task == "distillation":  # the cache's split table, beside it
        frames["split"] = f"{corpus_dir(m.corpus)}/labels/split.csv"
    return frames


def init_frames(wildcards):
    """Split, frame index and shards an init model ``wildcards.model`` samples images from."""
    corpus = MODELS[wildcards.model].corpus
    return {"split": f"{corpus_dir(corpus)}/labels/split.csv", **task_frames(wildcards)}


def available(names, key=None):
    """The models of a list (a config key's, or a table's) that this DAG makes, in list order.

    A name the sheet does not know is an error (a typo must not drop a model silently); a model
    whose `requires` fail here (object/scene off the world) is left out.
    """
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        where = f"config key `{key}`" if key else "a table declaration"
        raise ConfigError(
            f"{where}: {unknown} not in the model sheet {config['model_sheet']} "
            f"(known: {list(MODELS)})"
        )
    return [n for n in names if MODELS[n].enabled]
