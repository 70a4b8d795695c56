# validate: a wave's export + municipality sheet -> results/<wave>/responses.parquet, or a
# validation report and a non-zero exit. The report and failures.csv are not declared outputs on
# purpose: Snakemake deletes the outputs of a failed job, and the report must survive failure.


rule validate:
    input:
        # a missing file is refused when the workflow is parsed (Snakefile), except for a
        # reconstructed wave, whose files `snakemake reconstruct` writes: not declared then
        unpack(lambda w: existing_wave_files(w.wave)),
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("validate"),
    output:
        responses="results/{wave}/responses.parquet",
        municipalities="results/{wave}/municipalities.csv",
        # how the export's codes were read: listed in the wave's report.html
        reading="results/{wave}/code_reading.json",
    params:
        wave="{wave}",
        export=lambda w: wave_cfg(w.wave)["export"],
        municipalities=lambda w: wave_cfg(w.wave)["municipalities"],
        column_map=lambda w: wave_cfg(w.wave).get("column_map", {}),
        not_asked=lambda w: wave_cfg(w.wave).get("not_asked", []),
        item_nonresponse=lambda w: wave_cfg(w.wave).get("item_nonresponse", "accept"),
        municipality_map=lambda w: wave_cfg(w.wave).get("municipality_map", {}),
        disclosure=lambda w: disclosure_cfg(w.wave),
        report_dir="results/{wave}/validation",
    # on the critical path of a build (validate -> aggregate -> figures -> report): started first
    priority: 10
    log:
        "results/logs/validate_{wave}.log",
    script:
        "../scripts/validate.py"
