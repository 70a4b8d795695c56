# report: every table and figure of one wave, in the report's order, with n and provenance, the
# replication scorecard and the audit, as one self-contained HTML file.


rule report:
    input:
        unpack(lambda w: reference_inputs(w.wave)),
        unpack(lambda w: optional_table_inputs(w.wave)),
        cells="results/{wave}/cells.csv",
        reading="results/{wave}/code_reading.json",
        chapter="results/waves/chapter_{wave}.html",
        tables=expand("results/{{wave}}/tables/{table}.csv", table=TABLE_IDS),
        figures=expand("results/{{wave}}/figures/{stem}.png", stem=FIGURE_STEMS),
        export=lambda w: wave_cfg(w.wave)["export"],
        municipalities=lambda w: wave_cfg(w.wave)["municipalities"],
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("report"),
    output:
        report(
            "results/{wave}/report.html",
            caption="../report/report_html.rst",
            category="Report",
            subcategory="{wave}",
        ),
    params:
        wave="{wave}",
        language=config["language"],
        cfg=lambda w: wave_cfg(w.wave),
        settings=lambda w: {"language": config["language"], "wave": wave_cfg(w.wave), "disclosure": disclosure_cfg(w.wave)},
        disclosure=lambda w: disclosure_cfg(w.wave),
        # above this many municipalities a table with a row per municipality shows size classes
        max_rows=config["figures"]["municipality_rows_max"],
    log:
        "results/logs/report_{wave}.log",
    script:
        "../scripts/report.py"
