"""soundsight.probes: linear probes on frozen features.

- :mod:`~soundsight.probes.metrics`: VOC07 11-point AP, area AP, mean AP (difficult ignored).
- :mod:`~soundsight.probes.svm`: the VOC07 and SUN397 linear SVM probes (one module).
- :mod:`~soundsight.probes.extract`: frozen-trunk feature extraction and the trunk-unchanged check.
- :mod:`~soundsight.probes.clips`: clip-level audio probes (ESC-50 folds, DCASE 2013): linear SVMs
  on sub-clips, clip score = mean decision value over its sub-clips (L3 Table 2's protocol).
"""
