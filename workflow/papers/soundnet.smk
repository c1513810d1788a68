# SoundNet: Table 3 (DCASE 2013) and Table 4 (ESC-50, ESC-10) from the distilled students'
# layer probes. Which models: soundnet_common.smk; the models: config/models.tsv (`soundnet`).


# Tables made from small probe summaries run on the submitting host under a cluster executor.
localrules:
    soundnet_table,


rule soundnet_table:
    input:
        summaries=lambda w: audio_probe_files(
            soundnet_models(), soundnet_tables.TABLE_DATASETS[w.table]
        ),
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
        models=soundnet_models(),
        layer=config["soundnet"]["table_layer"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_table.py"
