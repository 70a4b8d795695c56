"""Publication: the registry of outputs, and the tables, figures, report and municipality pages built from cells."""
