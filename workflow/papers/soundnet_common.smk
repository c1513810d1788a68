# SoundNet (shared/papers/003_*): which models of the sheet (config/models.tsv, paper `soundnet`)
# its tables show; its targets join the default target only when `soundnet.enabled`.
import soundsight.papers.soundnet.ablations as soundnet_ablations
import soundsight.papers.soundnet.tables as soundnet_tables


def soundnet_models():
    """The distilled students of Tables 3 and 4 in this DAG (soundnet8)."""
    return available(list(soundnet_tables.TABLE34_MODELS))


def audio_probe_files(models, dataset, suffix="json"):
    """`<results>/probes/<model>/<dataset>_layers.<suffix>` of each model."""
    return [f"{R}/probes/{m}/{dataset}_layers.{suffix}" for m in models]


def soundnet_sheet_models():
    """The sheet's SoundNet models in this DAG (distilled students and weak teachers)."""
    return [n for n in sheet_models() if "soundnet" in MODELS[n].papers]


def soundnet_scratch_archs():
    """The architectures trained from scratch on the probe labels (Table 5's Scratch Init;
    soundnet_baselines.smk)."""
    return list(config["soundnet"]["baselines"]["scratch"]["models"])


def ablation_summaries(table):
    """The probe summaries Table 5 or 6 reads (`<results>/probes/...`)."""
    files = soundnet_ablations.summary_files(
        table, soundnet_sheet_models(), soundnet_scratch_archs()
    )
    return [f"{R}/probes/{f}" for f in files]


def ablation_teacher_metrics(table):
    """Table 6's teachers' `metrics.json` (both pairs), `{model: path}`; none for Table 5."""
    if table != "table6":
        return {}
    pairs = [teacher_models("teachers_weak"), teacher_models("teachers")]
    local = local_teacher_entries()  # the user's own weights: no held-out metrics here
    names = available([m for pair in pairs for m in pair.values() if m not in local])
    return {m: f"{R}/models/{m}/metrics.json" for m in names}


def soundnet_students():
    """The sheet's distilled SoundNet students in this DAG."""
    return [n for n in soundnet_sheet_models() if MODELS[n].task == "distillation"]


def soundnet_taught(local=False):
    """`{teacher: [its students]}` over this DAG's students: the teachers it trains (the
    audit's teacher checks), or with `local` those read from the user's own weights."""
    from soundsight.config import distill_target, teacher_set

    own = local_teacher_entries()
    taught = {}
    for m in soundnet_students():
        cache, heads = distill_target(config["soundnet"], MODELS[m].targets)
        for head in heads:
            teacher = teacher_set(config["soundnet"], cache)[head]
            if (teacher in own) == local:
                taught.setdefault(teacher, []).append(m)
    return taught


def soundnet_audit_clips():
    """The per-clip probe results the SoundNet audit compares (npz files)."""
    files = [f"{R}/probes/{m}/esc50_layers.npz" for m in soundnet_students()]
    files += [f"{R}/probes/{m}/dcase2013_layers.npz" for m in soundnet_models()]
    if soundnet_table7_targets():  # Table 7's per-video results
        files.append(f"{R}/probes/{soundnet_tables.SOUNDNET8}/multimodal.npz")
    files += [f"{R}/probes/scratch/{a}/esc50.npz" for a in soundnet_scratch_archs()]
    return files + soundnet_mfcc_files("esc50", "npz")


def soundnet_audit_heldout():
    """Held-out results of the students and their teachers (the audit's power checks)."""
    names = [*soundnet_students(), *soundnet_taught()]
    return [f"{R}/models/{m}/heldout.npz" for m in dict.fromkeys(names)]


def soundnet_targets():
    """SoundNet's Tables 3-7, Figs. 3-5 and its claims audit (the default target's share)."""
    tables = [f"{R}/tables/soundnet/table{n}.md" for n in (3, 4, 5, 6)]
    tables += soundnet_table7_targets()
    return [*tables, *soundnet_figure_targets(), f"{R}/audit/soundnet.md"]


def soundnet_figure_model():
    """The model Figs. 3-5 show: the sheet's soundnet8 when this DAG makes it, else None."""
    return next(iter(available([soundnet_tables.SOUNDNET8])), None)


SOUNDNET_FIGURE_SETS = ("esc50", "dcase2013")  # Fig. 3's panels, in order


def soundnet_figure_targets():
    """`<results>/figures/soundnet/fig{3,4,5}_*.png` (none without soundnet8)."""
    if soundnet_figure_model() is None:
        return []
    names = ("fig3_confusion", "fig4_tsne", "fig5_conv1")
    return [f"{R}/figures/soundnet/{n}.png" for n in names]


if config["soundnet"]["enabled"]:
    PAPER_TARGETS["soundnet"] = soundnet_targets


def soundnet_table7_targets():
    """Table 7, when the student (soundnet8) is in this DAG and its corpus is the world's
    (the videos' scene labels are the world's)."""
    if not soundnet_models():
        return []
    world = CORPORA[MODELS[soundnet_tables.SOUNDNET8].corpus].is_world
    return [f"{R}/tables/soundnet/table7.md"] if world else []


def soundnet_multimodal_inputs():
    """What Table 7's features read: the student, the teachers, and the student's corpus
    (videos, tracks and shards, the frame split, the world's scene labels)."""
    student = soundnet_tables.SOUNDNET8
    corpus = MODELS[student].corpus
    where = corpus_dir(corpus)
    return {
        "student": f"{R}/models/{student}/model.pt",
        "spec": f"{R}/models/{student}/model.json",
        "teachers": teacher_weights(),
        "source": video_source(corpus),
        "tracks": f"{where}/ingest/tracks.csv",
        "shards": shard_dirs(corpus),
        "split": f"{where}/labels/split.csv",
        "scene": f"{where}/labels/world_scene.csv",
    }


def soundnet_mfcc_files(dataset, suffix="json"):
    """The SVM-MFCC baseline's probe of ``dataset`` (soundnet_baselines.smk), for Tables 3/4."""
    return [f"{R}/probes/mfcc_svm/{dataset}.{suffix}"]
