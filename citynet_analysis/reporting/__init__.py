"""Reporting, in three rooms named for where their code runs:

- :mod:`.notebook`: what notebooks import, run inside a notebook's kernel (``Report`` and its output
  records, charts, figure export, summaries, formatting and language);
- :mod:`.batch`: the ``batch`` command (arguments → plan → execute → manifest), its kernels and run keys;
- :mod:`.publishers`: each turns executed notebooks into files a reader opens (pages, memos, workbook,
  portal), registered in one list.

The notebook side imports neither the batch nor the publishers; publishers never import the batch."""
