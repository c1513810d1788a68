# Distillation (SoundNet, Aytar et al. §3): the visual teachers' posteriors at fixed steps through
# every video of a corpus, cached once per teacher set (the students of the model sheet train
# on it): `teachers` (soundnet.teachers) and `teachers_weak` (soundnet.weak_teachers, Table 6).


rule teacher_posteriors:
    input:
        source=lambda w: video_source(w.corpus),
        tracks=f"{CORPUS}/ingest/tracks.csv",
        teachers=lambda w: teacher_weights(w.teachers),
    output:
        cache=f"{CORPUS}/labels/{{teachers}}.npz",
        rejects=f"{CORPUS}/labels/{{teachers}}_rejects.csv",
        summary=f"{CORPUS}/labels/{{teachers}}.json",
    log:
        f"{CORPUS_LOGS}/labels/{{teachers}}.log",
    wildcard_constraints:
        teachers="teachers|teachers_weak",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    resources:
        gpu=1,
    params:
        soundnet=config["soundnet"],
        teachers=lambda w: teacher_models(w.teachers),
        local_teachers=local_teacher_entries(),
        short_side=config["ingest"]["short_side"],
        jpeg_quality=config["ingest"]["jpeg_quality"],
        device=config["pretext"]["device"],
        seed=config["seed"],
    script:
        "../scripts/teacher_posteriors.py"
