"""Generic report engines that know no paper: the published-number store
(:mod:`~soundsight.report.published`), result readers (:mod:`~soundsight.report.results`), the
table engine (:mod:`~soundsight.report.table`) and the audit engine with its metric plugins
(:mod:`~soundsight.report.audit`, :mod:`~soundsight.report.audit_metrics`)."""
