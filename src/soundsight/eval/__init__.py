"""Evaluation engines that know no paper: fine-tuning a model folder on a labelled dataset.

- :mod:`soundsight.eval.finetune`: VOC2007 multi-label classification after fine-tuning the
  head only or all layers (the student reproduction's Table 1; Krähenbühl et al. 2016's protocol).
- :mod:`soundsight.eval.retrieval`: nDCG@30 over an ontology (Objects that Sound, App. A, as
  pinned in shared/papers/README.md) and the CCA baseline.
- :mod:`soundsight.eval.clusters`: NMI of k-means clusters, random assignment, unit preference.
- :mod:`soundsight.eval.localisation`: pointing accuracy of localisation maps, centre baseline.
"""
