"""soundsight.viz: paper figures (PNG + PDF) built from arrays, each with a thin file loader.

- :mod:`soundsight.viz.cochleagram`: Owens et al. 2018 Fig. 2 (cochleagrams + texture stats).
- :mod:`soundsight.viz.clusters`: Owens et al. 2018 Fig. 3 (audio clusters).
- :mod:`soundsight.viz.common`: saving, frequency axes, frame/audio loaders.
"""
