# codebook: the codebook (results/waves/codebook.yaml: its content without comments, rewritten
# only when that changes, so a comment edit reruns nothing) + the wave config + each valid wave's
# cells.csv (protected in public mode) -> results/codebook/codebook.html (for people) and
# ddi-codebook.xml (DDI Codebook 2.5, for data archives). Part of every build.

CODEBOOK_DOCS = ["results/codebook/codebook.html", "results/codebook/ddi-codebook.xml"]


rule codebook_docs:
    input:
        status=expand("results/waves/status/{wave}.json", wave=WAVES),
        cells=lambda w: wave_files(valid_waves(WAVES), "cells.csv"),
        # documents every item of every wave: reruns when an item is added anywhere, not on comments
        codebook=CROSS_WAVE_CODEBOOK,
        sectors=config["sectors"],
        code=code_of("codebook_docs"),
    output:
        html=CODEBOOK_DOCS[0],
        ddi=CODEBOOK_DOCS[1],
    params:
        cfgs={wave: {"description": wave_cfg(wave).get("description", ""),
                     "not_asked": wave_cfg(wave).get("not_asked", []),
                     "disclosure": disclosure_cfg(wave)} for wave in WAVES},
        language=config["language"],
    log:
        "results/logs/codebook_docs.log",
    script:
        "../scripts/codebook_docs.py"
