# The student reproduction (shared/papers/001_*): which models of the sheet (config/models.tsv,
# paper `student`) its tables, figures and audit show. The model names and the rows they stand
# for are the plugin's (soundsight.papers.student); what a model is, the sheet's.
import soundsight.papers.student.tables as student_tables

STUDENT = config["student"]
if STUDENT["k"] not in STUDENT["sweep_k"]:
    raise ConfigError(
        f"config key `student.k`: {STUDENT['k']} is not in `student.sweep_k` "
        f"{STUDENT['sweep_k']} (Table 1's model is that sweep model)"
    )
STUDENT_K = STUDENT["k"]
# Table 1's replicated rows: the world's analogue of ImageNet, random init., Owens, ours
STUDENT_TABLE1 = [
    "object",
    "random",
    "sound_cluster",
    student_tables.alexnet(STUDENT_K),
]
FINETUNE = f"{R}/finetune"


def student_table1_models():
    """Table 1's models in this DAG (`object` needs the world's labels)."""
    return available(STUDENT_TABLE1)


def student_sweep_models():
    """Fig. 3: AlexNet and ResNet-18, one model per k of `student.sweep_k`."""
    names = (student_tables.alexnet, student_tables.resnet18)
    return available([name(k) for name in names for k in STUDENT["sweep_k"]])


def student_pair():
    """The texture and MFCC AlexNets at `student.k` (per-class table, Fig. 4)."""
    return available(
        [student_tables.alexnet(STUDENT_K), student_tables.alexnet_mfcc(STUDENT_K)]
    )


def finetune_runs(models, modes=("all",), name="finetune.json"):
    """`<finetune>/<model>/<mode>/<name>` of every model and mode."""
    return [f"{FINETUNE}/{m}/{mode}/{name}" for m in models for mode in modes]


def student_audit_runs(name):
    """Every fine-tuning run the student's claims resample (head and all for Table 1)."""
    runs = finetune_runs(student_table1_models(), ("head", "all"), name)
    runs += finetune_runs(student_pair() + student_sweep_models(), ("all",), name)
    return list(dict.fromkeys(runs))


def student_checked_models():
    """Trained models whose generalisation the power checks test (those the claims compare)."""
    return trained_among(
        student_table1_models() + student_pair() + student_sweep_models()
    )


def student_targets():
    """The student reproduction's tables, figures and audit (the default target's share)."""
    return [
        f"{R}/tables/student/table1.md",
        f"{R}/tables/student/table2.md",
        f"{R}/figures/student/fig3_map_vs_clusters.png",
        f"{R}/figures/student/fig4_texture_vs_mfcc.png",
        f"{R}/audit/student.md",
    ]


PAPER_TARGETS["student"] = student_targets
