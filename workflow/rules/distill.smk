# Distillation (SoundNet, Aytar et al. §3): the visual teachers' posteriors at fixed steps through
# every video of a corpus, cached once (the students of the model sheet train on it).


rule teacher_posteriors:
    input:
        source=lambda w: video_source(w.corpus),
        tracks=f"{CORPUS}/ingest/tracks.csv",
        teachers=teacher_weights(),
    output:
        cache=f"{CORPUS}/labels/teachers.npz",
        rejects=f"{CORPUS}/labels/teachers_rejects.csv",
        summary=f"{CORPUS}/labels/teachers.json",
    log:
        f"{CORPUS_LOGS}/labels/teachers.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    resources:
        gpu=1,
    params:
        soundnet=config["soundnet"],
        short_side=config["ingest"]["short_side"],
        jpeg_quality=config["ingest"]["jpeg_quality"],
        device=config["pretext"]["device"],
        seed=config["seed"],
    script:
        "../scripts/teacher_posteriors.py"
