"""L3-Net, *Look, Listen and Learn* (Arandjelović & Zisserman 2017, ``shared/papers/002_*``):
its Table 1 (AVC accuracy) and claims audit as plugins of the report engines. Model names are
the sheet's correspondence rows (``config/models.tsv``, paper ``l3net``:
:data:`~.tables.L3`)."""
