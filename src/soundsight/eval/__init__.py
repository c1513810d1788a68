"""Evaluation engines that know no paper: fine-tuning a model folder on a labelled dataset.

- :mod:`soundsight.eval.finetune`: VOC2007 multi-label classification after fine-tuning the
  head only or all layers (the student reproduction's Table 1; Krähenbühl et al. 2016's protocol).
"""
