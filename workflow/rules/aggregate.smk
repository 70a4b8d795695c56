# aggregate: results/<wave>/responses.parquet -> results/<wave>/cells.csv (every item x answer x
# unit: overall, sector, VNG domain, social/physical class, municipality, size class) and the
# hours-per-week summary behind Figuur VI.1. In public mode small cells are suppressed here, so
# that no later output can show them (see analysis/disclosure.py).


rule aggregate:
    input:
        responses="results/{wave}/responses.parquet",
        municipalities="results/{wave}/municipalities.csv",
        codebook=config["codebook"],
        sectors=config["sectors"],
        code=code_of("aggregate"),
        # a wave's per-cell basis file (printed / derived / statement / free), if its config names one
        basis=lambda w: [wave_cfg(w.wave)["cell_basis"]] if "cell_basis" in wave_cfg(w.wave) else [],
    output:
        cells="results/{wave}/cells.csv",
        hours="results/{wave}/hours_by_sector.csv",
    params:
        wave="{wave}",
        disclosure=lambda w: disclosure_cfg(w.wave),
    # on the critical path of a build (validate -> aggregate -> figures -> report): started first
    priority: 10
    log:
        "results/logs/aggregate_{wave}.log",
    script:
        "../scripts/aggregate.py"
