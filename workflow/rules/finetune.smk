# Fine-tuning on VOC2007 classification, the head only or all layers (VOC07 mAP on test): the
# student reproduction's Table 1 (Krähenbühl et al.'s protocol; soundsight.eval.finetune).


rule finetune_voc:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        voc=voc_root(),
    output:
        summary=f"{R}/finetune/{{model}}/{{mode}}/finetune.json",
        scores=f"{R}/finetune/{{model}}/{{mode}}/voc_scores.npz",
    log:
        f"{LOGS}/finetune/{{model}}_{{mode}}.log",
    wildcard_constraints:
        model="[^/]+",
        mode="head|all",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    resources:
        gpu=1,
    params:
        finetune=config["finetune"],
        seed=config["seed"],
    script:
        "../scripts/finetune_voc.py"
