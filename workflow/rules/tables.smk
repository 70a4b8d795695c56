# tables: results/<wave>/cells.csv -> the report's tables (Tabel 3.1, 4.1, 4.2, VI.1, VII.2, VII.3,
# VIII.1-3, IX.1-3 and the data of Figuur 4.1) as CSV + Markdown, and all of them in one workbook.
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
        csv=report(
            expand("results/{{wave}}/tables/{table}.csv", table=TABLE_IDS),
            caption="../report/tables.rst",
            category="Tables",
            subcategory="{wave}",
        ),
        md=expand("results/{{wave}}/tables/{table}.md", table=TABLE_IDS),
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
