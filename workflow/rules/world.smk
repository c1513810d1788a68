# The embedded AmbientWorld: each world corpus's raw videos (results/corpora/<corpus>/world/) and
# the labelled image sets in official layouts (results/world/).


rule world_videos:
    output:
        manifest=f"{CORPUS}/world/videos.csv",
        bad=f"{CORPUS}/world/bad_videos.csv",
        videos=directory(f"{CORPUS}/world/videos"),
        groundtruth=directory(f"{CORPUS}/world/groundtruth"),
        summary=f"{CORPUS}/world/world.json",
    log:
        f"{CORPUS_LOGS}/world_videos.log",
    wildcard_constraints:
        corpus=one_of(corpus_names(world_only=True)),
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=lambda w: CORPORA[w.corpus].world,
        seed=lambda w: CORPORA[w.corpus].world_seed,
        audio_rate=world_audio_rate(),
    script:
        "../scripts/world_videos.py"


rule world_voc:
    output:
        directory(f"{WORLD}/VOC2007"),
    log:
        f"{LOGS}/world/voc.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=world_audio_rate(),
        part="voc",
    script:
        "../scripts/world_images.py"


rule world_sun:
    output:
        directory(f"{WORLD}/SUN397"),
    log:
        f"{LOGS}/world/sun.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=world_audio_rate(),
        part="sun",
    script:
        "../scripts/world_images.py"


# Sound and audio-visual sets in their real counterparts' layouts (docs/world.md "Sound and
# audio-visual sets"): L3-Net / Objects that Sound, and SoundNet, read them like the real ones.
# the corpus the AudioSet-style set labels: the music-heavy second world when it is rendered
_AS = CORPORA.get("audioset")
LABEL_SET_CORPUS = (
    "audioset" if _AS is not None and _AS.enabled and _AS.is_world else "videos"
)


rule world_esc50:
    output:
        directory(f"{WORLD}/ESC-50-master"),
    log:
        f"{LOGS}/world/esc50.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=world_audio_rate(),
        part="esc50",
    script:
        "../scripts/world_sets.py"


rule world_dcase2013:
    output:
        dev=directory(f"{WORLD}/DCASE2013/scenes_stereo"),
        test=directory(f"{WORLD}/DCASE2013/scenes_stereo_testset"),
        summary=f"{WORLD}/DCASE2013/world.json",
    log:
        f"{LOGS}/world/dcase2013.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=world_audio_rate(),
        part="dcase2013",
    script:
        "../scripts/world_sets.py"


rule world_localisation:
    output:
        directory(f"{WORLD}/Localisation"),
    log:
        f"{LOGS}/world/localisation.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=world_audio_rate(),
        part="localisation",
    script:
        "../scripts/world_sets.py"


rule world_audioset_sets:
    input:
        manifest=f"{corpus_dir(LABEL_SET_CORPUS)}/world/videos.csv",
    output:
        ontology=f"{WORLD}/AudioSet/ontology.json",
        train=f"{WORLD}/AudioSet/balanced_train_segments.csv",
        eval=f"{WORLD}/AudioSet/eval_segments.csv",
        summary=f"{WORLD}/AudioSet/world.json",
    log:
        f"{LOGS}/world/audioset.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        world=config["world"],
        seed=config["seed"],
        corpus=LABEL_SET_CORPUS,
        part="audioset",
    script:
        "../scripts/world_labelsets.py"


rule world_kinetics_sounds:
    input:
        manifest=f"{VIDEOS}/world/videos.csv",
    output:
        manifest=f"{WORLD}/KineticsSounds/kinetics_sounds.csv",
        summary=f"{WORLD}/KineticsSounds/world.json",
    log:
        f"{LOGS}/world/kinetics_sounds.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        world=config["world"],
        seed=config["seed"],
        corpus="videos",
        part="kinetics",
    script:
        "../scripts/world_labelsets.py"
