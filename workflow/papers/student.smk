# The student reproduction: Table 1 (head vs all layers fine-tuned), the per-class table, Figs. 3
# and 4, and the claims audit, all from fine-tuning runs of finetune_voc. Which models each
# shows: student_common.smk; the models: config/models.tsv (paper `student`).


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    student_table1,
    student_table2,
    student_fig3,
    student_fig4,


rule student_table1:
    input:
        runs=finetune_runs(student_table1_models(), ("head", "all")),
    output:
        csv=f"{R}/tables/student/table1.csv",
        md=report(
            f"{R}/tables/student/table1.md",
            caption="../report/student/table1.rst",
            category="Student reproduction",
            labels={"table": "Table 1"},
        ),
        provenance=f"{R}/tables/student/table1.provenance.json",
    log:
        f"{LOGS}/tables/student_table1.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=student_table1_models(),
        k=STUDENT_K,
        config=config,
        seed=config["seed"],
    script:
        "../scripts/student_table1.py"


rule student_table2:
    input:
        runs=finetune_runs(student_pair()),
    output:
        csv=f"{R}/tables/student/table2.csv",
        md=report(
            f"{R}/tables/student/table2.md",
            caption="../report/student/table2.rst",
            category="Student reproduction",
            labels={"table": "Per-class table"},
        ),
        provenance=f"{R}/tables/student/table2.provenance.json",
    log:
        f"{LOGS}/tables/student_table2.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        k=STUDENT_K,
        config=config,
        seed=config["seed"],
    script:
        "../scripts/student_table2.py"


rule student_fig3:
    input:
        runs=finetune_runs(student_sweep_models()),
    output:
        png=report(
            f"{R}/figures/student/fig3_map_vs_clusters.png",
            caption="../report/student/fig3.rst",
            category="Student reproduction",
            labels={"figure": "Fig. 3"},
        ),
        pdf=f"{R}/figures/student/fig3_map_vs_clusters.pdf",
        csv=f"{R}/figures/student/fig3_map_vs_clusters.csv",
    log:
        f"{LOGS}/figures/student_fig3.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        sweep_k=STUDENT["sweep_k"],
    script:
        "../scripts/student_fig3.py"


rule student_fig4:
    input:
        runs=finetune_runs(student_pair()),
    output:
        png=report(
            f"{R}/figures/student/fig4_texture_vs_mfcc.png",
            caption="../report/student/fig4.rst",
            category="Student reproduction",
            labels={"figure": "Fig. 4"},
        ),
        pdf=f"{R}/figures/student/fig4_texture_vs_mfcc.pdf",
        csv=f"{R}/figures/student/fig4_texture_vs_mfcc.csv",
    log:
        f"{LOGS}/figures/student_fig4.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        k=STUDENT_K,
    script:
        "../scripts/student_fig4.py"


rule audit_student:
    input:
        scores=student_audit_runs("voc_scores.npz"),
        summaries=student_audit_runs("finetune.json"),
        heldout=heldout_files(student_checked_models()),
        metrics=heldout_files(student_checked_models(), "metrics.json"),
    output:
        csv=f"{R}/audit/student.csv",
        md=report(
            f"{R}/audit/student.md",
            caption="../report/student/audit.rst",
            category="Student reproduction",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/student.provenance.json",
    log:
        f"{LOGS}/audit/student.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        k=STUDENT_K,
        sweep_k=STUDENT["sweep_k"],
        head_models=student_table1_models(),
        pretext_models=student_checked_models(),
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_student.py"
