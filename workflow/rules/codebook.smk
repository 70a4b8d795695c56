# codebook documents: the codebook (results/waves/codebook.yaml: its content without comments,
# rewritten only when that changes, so a comment edit reruns nothing) + the wave config + each
# valid wave's cells.csv (protected in public mode) -> results/codebook/codebook.html (for people)
# and ddi-codebook.xml (DDI Codebook 2.5, for data archives). Part of every build; written by rule
# `waves` (waves.smk), which reads the same inputs: one process less per build (issue 18).

CODEBOOK_DOCS = ["results/codebook/codebook.html", "results/codebook/ddi-codebook.xml"]
