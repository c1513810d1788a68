# SoundNet: Table 3 (DCASE 2013), Table 4 (ESC-50, ESC-10), Table 5 (ablations) and Table 6
# (layer x teacher) from the students' layer probes. Which models: soundnet_common.smk; the
# models: config/models.tsv (`soundnet`).


# Tables made from small probe summaries run on the submitting host under a cluster executor.
localrules:
    soundnet_table,
    soundnet_ablation,


rule soundnet_table:
    input:
        summaries=lambda w: audio_probe_files(
            soundnet_models(), soundnet_tables.TABLE_DATASETS[w.table]
        )
        + soundnet_mfcc_files(soundnet_tables.TABLE_DATASETS[w.table]),
    output:
        csv=f"{R}/tables/soundnet/{{table}}.csv",
        md=report(
            f"{R}/tables/soundnet/{{table}}.md",
            caption="../report/soundnet/table.rst",
            category="SoundNet",
            labels={"table": "{table}"},
        ),
        provenance=f"{R}/tables/soundnet/{{table}}.provenance.json",
    log:
        f"{LOGS}/tables/soundnet_{{table}}.log",
    wildcard_constraints:
        table="table3|table4",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=soundnet_models() + [soundnet_tables.MFCC_SVM],
        layer=config["soundnet"]["table_layer"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_table.py"


rule soundnet_ablation:
    input:
        summaries=lambda w: ablation_summaries(w.table),
        teachers=lambda w: list(ablation_teacher_metrics(w.table).values()),
    output:
        csv=f"{R}/tables/soundnet/{{table}}.csv",
        md=report(
            f"{R}/tables/soundnet/{{table}}.md",
            caption="../report/soundnet/ablation.rst",
            category="SoundNet",
            labels={"table": "{table}"},
        ),
        provenance=f"{R}/tables/soundnet/{{table}}.provenance.json",
    log:
        f"{LOGS}/tables/soundnet_{{table}}.log",
    wildcard_constraints:
        table="table5|table6",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=soundnet_sheet_models(),
        scratch=soundnet_scratch_archs(),
        teachers=lambda w: ablation_teacher_metrics(w.table),
        layer=config["soundnet"]["table_layer"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_ablation.py"


rule audit_soundnet:
    input:
        clips=soundnet_audit_clips(),
        heldout=soundnet_audit_heldout(),
    output:
        csv=f"{R}/audit/soundnet.csv",
        md=report(
            f"{R}/audit/soundnet.md",
            caption="../report/soundnet/audit.rst",
            category="SoundNet",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/soundnet.provenance.json",
    log:
        f"{LOGS}/audit/soundnet.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        students=soundnet_students(),
        taught=soundnet_taught(),
        local_taught=soundnet_taught(local=True),
        layer=config["soundnet"]["table_layer"],
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_soundnet.py"
