# report: every table and figure of one wave, in the report's order, with n and provenance, the
# replication scorecard, the audit and the chapter "Compared with earlier waves", as one
# self-contained HTML file; and in the same job the fact sheets: results/<wave>/cells.csv (already
# protected in public mode) -> one self-contained page per municipality,
# results/<wave>/municipalities/<id or pseudonym>.html, compared with all other municipalities, its
# size class and, matched on the sheet's cbs_code, the previous valid wave (config order).
# The chapter (results/waves/chapter_<wave>.html: this wave against the valid waves before it) is
# written by this job too, just before the report that embeds it. One job for the three: each
# reruns when the wave's cells or an earlier wave change, and a job costs a second of Python
# start-up and imports (issue 18: fewer processes per wave).


rule report:
    input:
        unpack(lambda w: reference_inputs(w.wave)),
        unpack(lambda w: optional_table_inputs(w.wave)),
        unpack(lambda w: previous_wave_files(w.wave)),
        status=lambda w: expand("results/waves/status/{wave}.json", wave=waves_up_to(w.wave)),
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        reading="results/{wave}/code_reading.json",
        # the chapter reads only this wave and the valid waves before it: adding a later wave
        # leaves this wave's report alone. The codebook (below) is the one this wave uses: earlier
        # waves are read through this wave's items, so a question added for a later wave leaves it
        # alone; one added for an earlier wave reruns it through that wave's responses and cells.
        compared_responses=lambda w: wave_files(valid_waves(waves_up_to(w.wave)[:-1]) + [w.wave], "responses.parquet"),
        compared_municipalities=lambda w: wave_files(valid_waves(waves_up_to(w.wave)[:-1]) + [w.wave], "municipalities.csv"),
        # a public wave's chapter shows an earlier restricted wave only as public mode would
        compared_cells=lambda w: compared_cells(w.wave),
        tables=expand("results/{{wave}}/tables/{table}.csv", table=TABLE_IDS),
        figures=expand("results/{{wave}}/figures/{stem}.png", stem=FIGURE_STEMS),
        # a figure that leaves units out is headed with the n of those it draws (its data table)
        figures_data=expand("results/{{wave}}/figures/{stem}.data.csv", stem=FIGURE_STEMS),
        # the cells hidden only for keep_group, which the report's and the fact sheets' notes name
        disclosure_report="results/{wave}/disclosure/report.csv",
        export=lambda w: wave_cfg(w.wave)["export"],
        sheet=lambda w: wave_cfg(w.wave)["municipalities"],
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("report"),
    output:
        report=report(
            "results/{wave}/report.html",
            caption="../report/report_html.rst",
            category="Report",
            subcategory="{wave}",
        ),
        pages=directory("results/{wave}/municipalities"),
        chapter="results/waves/chapter_{wave}.html",
    params:
        wave="{wave}",
        language=config["language"],
        cfg=lambda w: wave_cfg(w.wave),
        settings=lambda w: {"language": config["language"], "wave": wave_cfg(w.wave), "disclosure": disclosure_cfg(w.wave)},
        disclosure=lambda w: disclosure_cfg(w.wave),
        data_kind=lambda w: data_kind(w.wave),
        comparisons=config.get("comparisons", {}),
        # above this many municipalities a table with a row per municipality shows size classes
        max_rows=config["figures"]["municipality_rows_max"],
    log:
        "results/logs/report_{wave}.log",
    script:
        "../scripts/report.py"
