# publication: results/<wave>/cells.csv -> the report's tables (those of
# src/analysis/publication/registry.py) as CSV + Markdown and all of them in one workbook, and its
# figures as PNG + SVG + the data each plots (builders in src/analysis/publication/figures.py).
# One job per wave builds them all: a job costs a second of Python start-up and imports, a table
# milliseconds (issue 18: fewer processes per wave, each doing more).


rule publication:
    input:
        unpack(lambda w: optional_table_inputs(w.wave)),
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        # written by rule aggregate next to cells.csv: mean hours per sector for Figuur VI.1
        hours_by_sector="results/{wave}/hours_by_sector.csv",
        # written by rule aggregate too: the cells hidden for keep_group, which a table's note names
        disclosure_report="results/{wave}/disclosure/report.csv",
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("publication"),
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
        png=[
            report(
                f"results/{{wave}}/figures/{stem}.png",
                caption=caption(stem),
                category="Figures",
                subcategory="{wave}",
            )
            for stem in FIGURE_STEMS
        ],
        svg=[f"results/{{wave}}/figures/{stem}.svg" for stem in FIGURE_STEMS],
        data=[f"results/{{wave}}/figures/{stem}.data.csv" for stem in FIGURE_STEMS],
    params:
        language=config["language"],
        data_kind=lambda w: data_kind(w.wave),
        disclosure=lambda w: disclosure_cfg(w.wave),
        outdir="results/{wave}/tables",
        # Figuur 4.2 leaves out municipalities with fewer respondents (report footnote 20)
        min_n=2,
        # above this many municipalities: sorted dot plots instead of a row per municipality
        max_rows=config["figures"]["municipality_rows_max"],
    # drawing is the longest step: figures are shared out over this many forked processes
    threads: 2
    # on the critical path of a build (validate -> aggregate -> publication -> report): started first
    priority: 10
    log:
        "results/logs/publication_{wave}.log",
    script:
        "../scripts/publication.py"
