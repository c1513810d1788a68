# SoundNet (shared/papers/003_*): which models of the sheet (config/models.tsv, paper `soundnet`)
# its tables show; its targets join the default target only when `soundnet.enabled`.
import soundsight.papers.soundnet.tables as soundnet_tables


def soundnet_models():
    """The distilled students of Tables 3 and 4 in this DAG (soundnet8)."""
    return available(list(soundnet_tables.TABLE34_MODELS))


def audio_probe_files(models, dataset, suffix="json"):
    """`<results>/probes/<model>/<dataset>_layers.<suffix>` of each model."""
    return [f"{R}/probes/{m}/{dataset}_layers.{suffix}" for m in models]


def soundnet_targets():
    """SoundNet's Tables 3, 4 and 7 (the default target's share)."""
    tables = [f"{R}/tables/soundnet/table3.md", f"{R}/tables/soundnet/table4.md"]
    return tables + soundnet_table7_targets()


if config["soundnet"]["enabled"]:
    PAPER_TARGETS["soundnet"] = soundnet_targets


def soundnet_table7_targets():
    """Table 7, when the student (soundnet8) is in this DAG."""
    return [f"{R}/tables/soundnet/table7.md"] if soundnet_models() else []


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
