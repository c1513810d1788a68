"""The student reproduction, *Improving Visual Recognition using Ambient Sound for Supervision*
(``shared/papers/001_*``): its tables, claims and Figs. 3/4 as plugins of the report engines
(:mod:`soundsight.report`). Model names follow the sheet's rows of paper ``student``
(:mod:`soundsight.papers.student.tables`: :func:`~.tables.alexnet`, ...)."""
