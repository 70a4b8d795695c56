# feedback: results/<wave>/cells.csv (already protected in public mode) -> one self-contained fact
# sheet per municipality, results/<wave>/municipalities/<id or pseudonym>.html, compared with all
# other municipalities, its size class and, matched on the sheet's cbs_code, the previous valid
# wave (config order).


def previous_wave_files(wave):
    """cells.csv and municipalities.csv of the last valid wave before `wave`, if there is one."""
    earlier = valid_waves(waves_up_to(wave)[:-1])
    if not earlier:
        return {}
    return {"previous_cells": f"results/{earlier[-1]}/cells.csv",
            "previous_municipalities": f"results/{earlier[-1]}/municipalities.csv"}


rule municipality_pages:
    input:
        unpack(lambda w: previous_wave_files(w.wave)),
        status=lambda w: expand("results/waves/status/{wave}.json", wave=waves_up_to(w.wave)[:-1]),
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
