"""*Objects that Sound* (Arandjelović & Zisserman 2018, ``shared/papers/004_*``): its AVC
comparison (AVE-Net vs L3-Net, each with and without shortcut prevention) and claims audit as
plugins of the report engines. Model names are the sheet's correspondence rows of paper
``objects_sound`` (:mod:`~.tables`); its printed numbers are ``objectsthatsound_text.csv``."""
