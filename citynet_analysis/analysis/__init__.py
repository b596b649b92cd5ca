"""Analysis: metrics as pure functions of a loaded data set, and the public reference series."""
