# Figures of the report (issue 4): one job per wave builds all of them, because each Python job
# pays seconds of matplotlib/seaborn imports. Builders live in src/analysis/figures.py.

# File stems of the figures, in report order; tests/test_figures.py checks this list against
# analysis.figures.FIGURES (importing matplotlib here would slow every parse of the workflow).
FIGURE_STEMS = [
    "figuur_3_1", "figuur_4_1", "figuur_4_2", "figuur_4_3", "figuur_4_4", "figuur_4_5",
    "figuur_5_1", "figuur_5_2", "figuur_6_1", "figuur_6_2", "figuur_6_3", "figuur_6_4",
    "figuur_6_5", "figuur_6_6", "figuur_VI_1",
]


def figures_targets(wave):
    """Every file the figures rule writes for one wave (PNG, SVG and the plotted data)."""
    return [f"results/{wave}/figures/{stem}{ext}" for stem in FIGURE_STEMS for ext in (".png", ".svg", ".data.csv")]


rule figures:
    input:
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        # written by rule aggregate next to cells.csv: mean hours per sector for Figuur VI.1
        hours_by_sector="results/{wave}/hours_by_sector.csv",
        codebook=config["codebook"],
        sectors=config["sectors"],
        code=analysis_code("figures", "codebook"),
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
        # Figuur 4.2 leaves out municipalities with fewer respondents (report footnote 20)
        min_n=2,
    log:
        "results/logs/figures_{wave}.log",
    script:
        "../scripts/figures.py"
