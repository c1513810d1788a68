"""Owens et al. 2018, *Learning Sight from Sound*: its tables, claims and Fig. 11 as plugins of
the report engines (:mod:`soundsight.report`)."""
