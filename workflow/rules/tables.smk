# Tables and the claims audit of Owens et al. 2018: replicated next to published numbers.


rule table2:
    input:
        voc=expand(f"{R}/probes/{{model}}/voc.json", model=table2_models()),
        sun=expand(f"{R}/probes/{{model}}/sun.json", model=table2_models()),
    output:
        csv=f"{R}/tables/owens2018/table2.csv",
        md=report(
            f"{R}/tables/owens2018/table2.md",
            caption="../report/table2.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 2"},
        ),
        provenance=f"{R}/tables/owens2018/table2.provenance.json",
    log:
        f"{LOGS}/tables/table2.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=table2_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table2.py"


rule audit_owens2018:
    input:
        voc=expand(f"{R}/probes/{{model}}/voc_scores.npz", model=audit_voc_models()),
        sun=expand(f"{R}/probes/{{model}}/sun_predictions.npz", model=table2_models()),
        unit_labels=expand(f"{R}/units/{{model}}/labels.csv", model=audit_unit_models()),
        cluster=f"{R}/tables/owens2018/cluster_predictions.npz",
        summary=f"{R}/tables/owens2018/cluster_accuracy.json",
    output:
        csv=f"{R}/audit/owens2018.csv",
        md=report(
            f"{R}/audit/owens2018.md",
            caption="../report/audit_owens2018.rst",
            category="Owens et al. 2018",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/owens2018.provenance.json",
    log:
        f"{LOGS}/audit/owens2018.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_owens2018.py"
