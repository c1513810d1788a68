# Objects that Sound: the AVC comparison (AVE / L3 x shortcut prevention on / off) and the claims
# audit. Which models: objects_sound_common.smk; the models: config/models.tsv.


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    objects_sound_avc,
    objects_sound_table1,
    objects_sound_localisation,
    audioset_manifest,


rule objects_sound_avc:
    input:
        metrics=avc_files(objects_sound_models(), "metrics.json"),
    output:
        csv=f"{R}/tables/objects_sound/avc.csv",
        md=report(
            f"{R}/tables/objects_sound/avc.md",
            caption="../report/objects_sound/avc.rst",
            category="Objects that Sound",
            labels={"table": "AVC comparison"},
        ),
        provenance=f"{R}/tables/objects_sound/avc.provenance.json",
    log:
        f"{LOGS}/tables/objects_sound_avc.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=objects_sound_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/objects_sound_avc.py"


rule audit_objects_sound:
    input:
        pairs=avc_files(objects_sound_models(), "avc.npz"),
        heldout=avc_files(objects_sound_models(), "heldout.npz"),
        metrics=avc_files(objects_sound_models(), "metrics.json"),
        ndcg=[f"{R}/retrieval/{m}/ndcg.npz" for m in objects_sound_methods()],
        pointing=[
            f"{R}/localisation/{m}/pointing.npz" for m in objects_sound_localisers()
        ],
    output:
        csv=f"{R}/audit/objects_sound.csv",
        md=report(
            f"{R}/audit/objects_sound.md",
            caption="../report/objects_sound/audit.rst",
            category="Objects that Sound",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/objects_sound.provenance.json",
    log:
        f"{LOGS}/audit/objects_sound.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=objects_sound_models(),
        methods=objects_sound_methods(),
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_objects_sound.py"


# Table 1: AudioSet-style segments -> items (one frame + 1 s of audio each) -> each model's
# features -> nDCG@30 per method (soundsight.probes.retrieval, soundsight.eval.retrieval)
rule audioset_manifest:
    input:
        segments=lambda w: audioset_instruments(AUDIOSET_SEGMENTS[w.split]),
        ontology=audioset_instruments("ontology.json"),
    output:
        manifest=f"{R}/retrieval/items/{{split}}.csv",
        rejects=f"{R}/retrieval/items/{{split}}_rejected.csv",
        summary=f"{R}/retrieval/items/{{split}}.json",
    log:
        f"{LOGS}/retrieval/items_{{split}}.log",
    wildcard_constraints:
        split="train|eval",
    conda:
        "../../envs/soundsight.yaml"
    params:
        clips=audioset_instruments_clips(),
    script:
        "../scripts/audioset_manifest.py"


rule retrieval_features:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        manifest=f"{R}/retrieval/items/{{split}}.csv",
    output:
        features=f"{R}/retrieval/features/{{model}}/{{split}}.npz",
        summary=f"{R}/retrieval/features/{{model}}/{{split}}.json",
        rejects=f"{R}/retrieval/features/{{model}}/{{split}}_rejected.csv",
    log:
        f"{LOGS}/retrieval/features_{{model}}_{{split}}.log",
    wildcard_constraints:
        split="train|eval",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        retrieval=config["avc"]["retrieval"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/retrieval_features.py"


rule retrieval_ndcg:
    input:
        test=lambda w: retrieval_feature_files(w.method, "eval"),
        train=lambda w: retrieval_feature_files(w.method, "train"),
        ontology=audioset_instruments("ontology.json"),
    output:
        ndcg=f"{R}/retrieval/{{method}}/ndcg.npz",
        summary=f"{R}/retrieval/{{method}}/ndcg.json",
    log:
        f"{LOGS}/retrieval/ndcg_{{method}}.log",
    wildcard_constraints:
        method=one_of(objects_sound_tables.RETRIEVAL_METHODS),
    conda:
        "../../envs/soundsight.yaml"
    params:
        method=lambda w: retrieval_method_params(w.method),
        retrieval=config["avc"]["retrieval"],
        seed=config["seed"],
    script:
        "../scripts/retrieval_ndcg.py"


rule objects_sound_table1:
    input:
        ndcg=[f"{R}/retrieval/{m}/ndcg.json" for m in objects_sound_methods()],
    output:
        csv=f"{R}/tables/objects_sound/table1.csv",
        md=report(
            f"{R}/tables/objects_sound/table1.md",
            caption="../report/objects_sound/table1.rst",
            category="Objects that Sound",
            labels={"table": "Table 1"},
        ),
        provenance=f"{R}/tables/objects_sound/table1.provenance.json",
    log:
        f"{LOGS}/tables/objects_sound_table1.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        methods=objects_sound_methods(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/objects_sound_table1.py"


# Sect. 4: AVOL-Net's maps of the localisation frames with their own and mismatched audio,
# pointing accuracy vs the centre baseline (soundsight.eval.localisation), Fig. 6's examples
rule localise:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        root=localisation_root(),
    output:
        pointing=f"{R}/localisation/{{model}}/pointing.npz",
        summary=f"{R}/localisation/{{model}}/localisation.json",
    log:
        f"{LOGS}/localisation/{{model}}.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        localisation=config["avc"]["localisation"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/localise.py"


rule objects_sound_localisation:
    input:
        summary=[
            f"{R}/localisation/{m}/localisation.json"
            for m in objects_sound_localisers()
        ],
    output:
        csv=f"{R}/tables/objects_sound/localisation.csv",
        md=report(
            f"{R}/tables/objects_sound/localisation.md",
            caption="../report/objects_sound/localisation.rst",
            category="Objects that Sound",
            labels={"table": "Localisation"},
        ),
        provenance=f"{R}/tables/objects_sound/localisation.provenance.json",
    log:
        f"{LOGS}/tables/objects_sound_localisation.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        config=config,
        seed=config["seed"],
    script:
        "../scripts/objects_sound_localisation.py"


rule objects_sound_localisation_figure:
    input:
        pointing=[
            f"{R}/localisation/{m}/pointing.npz" for m in objects_sound_localisers()
        ],
        root=localisation_root(),
    output:
        png=report(
            f"{R}/figures/objects_sound/localisation.png",
            caption="../report/objects_sound/localisation_figure.rst",
            category="Objects that Sound",
            labels={"figure": "Localisation (Fig. 6)"},
        ),
        pdf=f"{R}/figures/objects_sound/localisation.pdf",
        provenance=f"{R}/figures/objects_sound/localisation.provenance.json",
    log:
        f"{LOGS}/figures/objects_sound_localisation.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        rows=config["avc"]["localisation"]["figure_rows"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/objects_sound_localisation_figure.py"
