"""SoundNet (Aytar, Vondrick & Torralba 2016, ``shared/papers/003_*``): its Tables 3 (DCASE
2013) and 4 (ESC-50, ESC-10) as plugins of the report engines. Model names are the sheet's
distillation rows (``config/models.tsv``, paper ``soundnet``: :data:`~.tables.SOUNDNET8`)."""
