# soundsight's entry point at the top of the repository, beside workflow/ (the layout of the
# Snakemake workflow catalog). The workflow itself is workflow/Snakefile.


include: "workflow/Snakefile"


# `default_target: True` on `rule all` is not enough through an include: Snakemake restores the
# including file's default target when an include returns (snakemake/snakemake#2056, #2773), so
# without this line a bare `snakemake` would build nothing.
workflow.default_target = "all"
