# waves: comparisons across survey waves -> results/waves/ (indicators, differences, GEE,
# within-wave comparisons, trend figures, report.html); rule waves also writes the codebook
# documents (CODEBOOK_DOCS in common.smk). Each wave's chapter "Compared with earlier waves"
# (results/waves/chapter_<wave>.html) is written by the wave's report job (report.smk).
#
# Why a checkpoint: a wave that fails validation has no responses.parquet, and a rule that lists
# every wave's responses.parquet as input would then never run. `wave_status` validates each wave
# again (same code as rule validate), never fails, and records valid/invalid with the first
# problems (wave, file, field). The cross-wave inputs are then the valid waves only, decided
# after the status jobs ran, and the outputs name the excluded waves. Together with keep-going
# (workflow profile), one bad wave neither stops the other waves nor the cross-wave outputs.
# Waves are compared in config order (fielding order). "waves" is therefore no valid wave id.


checkpoint wave_status:
    input:
        # an absent file is not declared: the status job then records "file not found"
        # instead of Snakemake refusing to build anything at all
        files=lambda w: list(existing_wave_files(w.wave).values()),
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("waves"),
    output:
        "results/waves/status/{wave}.json",
    params:
        wave="{wave}",
        cfg=lambda w: {**wave_cfg(w.wave), "disclosure": disclosure_cfg(w.wave)},
    log:
        "results/logs/wave_status_{wave}.log",
    script:
        "../scripts/waves.py"


rule waves:
    input:
        status=expand("results/waves/status/{wave}.json", wave=WAVES),
        responses=lambda w: wave_files(valid_waves(WAVES), "responses.parquet"),
        municipalities=lambda w: wave_files(valid_waves(WAVES), "municipalities.csv"),
        cells=lambda w: wave_files(valid_waves(WAVES), "cells.csv"),
        # the whole codebook: the comparisons read items over waves, and the codebook documents
        # describe every item of every wave (rerun when an item is added anywhere, not on comments)
        codebook=CROSS_WAVE_CODEBOOK,
        sectors=config["sectors"],
        code=code_of("cross_wave"),
    output:
        indicators="results/waves/indicators.csv",
        differences="results/waves/differences.csv",
        gee="results/waves/gee.csv",
        within="results/waves/within_wave.csv",
        waves="results/waves/waves.csv",
        report="results/waves/report.html",
        figures=directory("results/waves/figures"),
        # the codebook documents (common.smk), in the same process: they read the same inputs
        codebook_html=CODEBOOK_DOCS[0],
        codebook_ddi=CODEBOOK_DOCS[1],
    params:
        language=config["language"],
        comparisons=config.get("comparisons", {}),
        cfgs={wave: {"description": wave_cfg(wave).get("description", ""),
                     "not_asked": wave_cfg(wave).get("not_asked", []),
                     "disclosure": disclosure_cfg(wave)} for wave in WAVES},
    log:
        "results/logs/waves.log",
    script:
        "../scripts/cross_wave.py"


# The cells of a restricted wave as public mode would publish them: what the chapter and the fact
# sheets of a later public wave may show of it (no restricted banner in a public report). Only the
# items those show are protected (core.waves.build.shown_of_earlier_wave).
rule public_view:
    input:
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("waves"),
    output:
        cells="results/{wave}/cells_as_public.csv",
        report_md="results/{wave}/disclosure/as_public.md",
        report_csv="results/{wave}/disclosure/as_public.csv",
    params:
        disclosure=lambda w: disclosure_cfg_public(),
        comparisons=config.get("comparisons", {}),
    # the longest job of the default build (optimal protection of a whole wave): started as soon
    # as its wave's cells exist, so that the rest of the build runs beside it
    priority: 20
    log:
        "results/logs/public_view_{wave}.log",
    script:
        "../scripts/waves.py"
