"""The data set: the table contract, its schemas and identities, and the processed CSVs with
``datapackage.json`` written and read (:func:`load.load`) with every check before use."""
