"""Reporting: formatting and language, summaries, charts and figures, what notebooks call, table exports,
HTML pages, the reports site, kernels and the batch."""
