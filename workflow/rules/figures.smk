# Figures of the report (issue 4): one job per wave builds all of them, because each Python job
# pays seconds of matplotlib/seaborn imports. Builders live in src/analysis/publication/figures.py.


rule figures:
    input:
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        # written by rule aggregate next to cells.csv: mean hours per sector for Figuur VI.1
        hours_by_sector="results/{wave}/hours_by_sector.csv",
        codebook=config["codebook"],
        sectors=config["sectors"],
        code=code_of("figures"),
    output:
        png=[
            report(
                f"results/{{wave}}/figures/{stem}.png",
                caption=f"../report/figure_{stem.removeprefix('figuur_')}.rst",
                category="Figures",
                subcategory="{wave}",
            )
            for stem in FIGURE_STEMS
        ],
        svg=[f"results/{{wave}}/figures/{stem}.svg" for stem in FIGURE_STEMS],
        data=[f"results/{{wave}}/figures/{stem}.data.csv" for stem in FIGURE_STEMS],
    params:
        language=config["language"],
        synthetic=lambda w: bool(wave_cfg(w.wave).get("synthetic", False)),
        reconstructed=lambda w: bool(wave_cfg(w.wave).get("reconstructed", False)),
        disclosure=lambda w: disclosure_cfg(w.wave),
        # Figuur 4.2 leaves out municipalities with fewer respondents (report footnote 20)
        min_n=2,
        # above this many municipalities: sorted dot plots instead of a row per municipality
        max_rows=config["figures"]["municipality_rows_max"],
    # drawing is the longest step: figures are shared out over this many forked processes
    threads: 2
    # on the critical path of a build (validate -> aggregate -> figures -> report): started first
    priority: 10
    log:
        "results/logs/figures_{wave}.log",
    script:
        "../scripts/figures.py"
