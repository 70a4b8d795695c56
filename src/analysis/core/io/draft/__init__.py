"""Draft a wave's config entry from the export itself (`python -m analysis.core.io.draft_wave`).

text: a tested similarity scorer for labels; columns: what each export column holds (labels,
value labels, user-missing, values) and the code map it implies for an item; matching: column ->
codebook item (text, values, position; one-to-one); proposal: the draft entry, the municipality
sheet map and new-question stanzas; render: the files a researcher checks (config entry with
every line's confidence, codebook additions, review page).
"""
