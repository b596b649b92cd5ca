"""Reading documents: a budget program explanation (사업설명서) as text, parsed into rows that keep their
source line, checked and merged into one data set (:func:`ingest.build_dataset`)."""
