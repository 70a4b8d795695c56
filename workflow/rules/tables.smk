# tables: results/<wave>/cells.csv -> the report's tables (those of src/analysis/publication/registry.py)
# as CSV + Markdown, and all of them in one workbook.
# One job per wave builds them all: a job costs seconds of imports, a table milliseconds.


rule tables:
    input:
        unpack(lambda w: optional_table_inputs(w.wave)),
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("tables"),
    output:
        csv=[
            report(
                f"results/{{wave}}/tables/{table}.csv",
                caption=caption(table),
                category="Tables",
                subcategory="{wave}",
            )
            for table in TABLE_IDS
        ],
        md=expand("results/{{wave}}/tables/{table}.md", table=TABLE_IDS),
        # the wave's questions no table or figure uses (header only when there are none)
        further=expand("results/{{wave}}/tables/{stem}.{ext}", stem=REGISTRY.FURTHER_STEM, ext=("csv", "md")),
        xlsx=report(
            "results/{wave}/tables/tables.xlsx",
            caption="../report/tables_xlsx.rst",
            category="Tables",
            subcategory="{wave}",
        ),
    params:
        language=config["language"],
        data_kind=lambda w: data_kind(w.wave),
        disclosure=lambda w: disclosure_cfg(w.wave),
        outdir="results/{wave}/tables",
    log:
        "results/logs/tables_{wave}.log",
    script:
        "../scripts/tables.py"
