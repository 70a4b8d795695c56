# feedback: results/<wave>/cells.csv (already protected in public mode) -> one self-contained page
# per municipality, results/<wave>/municipalities/<id or pseudonym>.html.


rule municipality_pages:
    input:
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("municipality_pages"),
    output:
        directory("results/{wave}/municipalities"),
    params:
        language=config["language"],
        disclosure=lambda w: disclosure_cfg(w.wave),
        data_kind=lambda w: data_kind(w.wave),
    log:
        "results/logs/municipality_pages_{wave}.log",
    script:
        "../scripts/municipality_pages.py"
