# soundsight: the workflow lives in workflow/Snakefile (Snakemake catalog layout).


include: "workflow/Snakefile"
