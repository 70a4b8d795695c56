# replicate: for a wave with a published `reference`, every published cell next to the regenerated
# one, with the audit's verdict where they differ (results/audit/published_consistency.csv).
import glob
import os


rule replicate:
    input:
        # Tabel 3.1 and VI.1 (sent) come from the interview register and the questionnaires sent
        unpack(lambda w: optional_table_inputs(w.wave)),
        cells="results/{wave}/cells.csv",
        municipalities="results/{wave}/municipalities.csv",
        reference=lambda w: sorted(glob.glob(os.path.join(wave_cfg(w.wave)["reference"], "*.csv"))),
        findings="results/audit/published_consistency.csv",
        codebook=lambda w: WAVE_CODEBOOK[w.wave],
        sectors=config["sectors"],
        code=code_of("replicate"),
    output:
        scorecard=report(
            "results/{wave}/replication/scorecard.csv",
            caption="../report/replication_scorecard.rst",
            category="Replication",
            subcategory="{wave}",
        ),
        summary="results/{wave}/replication/summary.csv",
        summary_md=report(
            "results/{wave}/replication/summary.md",
            caption="../report/replication_summary.rst",
            category="Replication",
            subcategory="{wave}",
        ),
    params:
        wave="{wave}",
        # the folder of the declared reference files (not the configured path again)
        reference_dir=lambda w, input: os.path.dirname(input.reference[0]),
        disclosure=lambda w: disclosure_cfg(w.wave),
    log:
        "results/logs/replicate_{wave}.log",
    script:
        "../scripts/replicate.py"
