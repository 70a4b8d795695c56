# export (opt-in, not in `all`): `snakemake export` writes the validated respondent tables as
# microdata for SPSS and Stata users to microdata/ (git-ignored, outside results/ because it holds
# one row per respondent): microdata/<wave>/ per valid wave and microdata/all-waves/ with every
# valid wave in one harmonised file. Waves that did not validate are named in microdata/README.md
# and exported nowhere; asking for such a wave's files directly fails with the reason.


rule export_wave:
    input:
        status="results/waves/status/{wave}.json",
        # nothing to read for a wave that did not validate: the script then says so and fails
        responses=lambda w: wave_files(valid_waves([w.wave]), "responses.parquet"),
        municipalities=lambda w: wave_files(valid_waves([w.wave]), "municipalities.csv"),
        # the codebook as this wave uses it: its own answer categories get their codes and labels
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("export"),
    output:
        multiext("microdata/{wave}/{wave}", ".sav", ".dta", ".csv", ".sps"),
        "microdata/{wave}/municipalities.csv",
        "microdata/{wave}/README.md",
    params:
        cfg=lambda w: export_cfg(w.wave),
        language=config["language"],
        data_kind=lambda w: data_kind(w.wave),
    log:
        "results/logs/export_{wave}.log",
    script:
        "../scripts/export.py"


rule export_harmonised:
    input:
        status=expand("results/waves/status/{wave}.json", wave=WAVES),
        responses=lambda w: wave_files(valid_waves(WAVES), "responses.parquet"),
        municipalities=lambda w: wave_files(valid_waves(WAVES), "municipalities.csv"),
        codebook=CROSS_WAVE_CODEBOOK,  # the codebook's content, not its comments
        sectors=config["sectors"],
        code=code_of("export"),
    output:
        multiext("microdata/all-waves/all-waves", ".sav", ".dta", ".csv", ".sps"),
        "microdata/all-waves/municipalities.csv",
        readme="microdata/README.md",
    params:
        cfgs={wave: export_cfg(wave) for wave in WAVES},
        language=config["language"],
    log:
        "results/logs/export_harmonised.log",
    script:
        "../scripts/export.py"


rule export:
    input:
        lambda w: ["microdata/README.md"] + [f"microdata/{wave}/README.md" for wave in valid_waves(WAVES)],
