# The audit overview across papers: every registered paper's audit (results/audit/<paper>.csv,
# declared in its PAPER_TARGETS) counted into results/audit/index.{md,csv}, the report's entry.


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    audit_index,


rule audit_index:
    input:
        csv=expand(f"{R}/audit/{{paper}}.csv", paper=audit_papers()),
        md=expand(f"{R}/audit/{{paper}}.md", paper=audit_papers()),
    output:
        csv=f"{R}/audit/index.csv",
        md=report(
            f"{R}/audit/index.md",
            caption="../report/audit_index.rst",
            category="Audit overview",
            labels={"table": "Audit overview"},
        ),
    log:
        f"{LOGS}/audit/index.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        papers=audit_papers(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_index.py"
