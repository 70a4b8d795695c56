# Audit of the published report: every internal inconsistency of the printed numbers
# (the `reference` folder of the configured waves, values as printed)
# -> results/audit/published_consistency.csv/.md
import glob
import os

# The published numbers to audit: the one reference folder the configured waves name (the RIVM
# 2010 report); the audit is built only when a wave has one (common.smk, reference_inputs).
AUDIT_REFERENCE_DIRS = sorted({wave_cfg(w)["reference"] for w in WAVES if has_reference(w)})
if len(AUDIT_REFERENCE_DIRS) > 1:
    raise ValueError(f"config/config.yaml: the waves name {len(AUDIT_REFERENCE_DIRS)} reference folders "
                        f"({', '.join(AUDIT_REFERENCE_DIRS)}); the audit reads one")


rule audit:
    input:
        reference=[p for d in AUDIT_REFERENCE_DIRS for p in sorted(glob.glob(os.path.join(d, "*.csv")))],
        code=code_of("audit"),
    output:
        csv="results/audit/published_consistency.csv",
        md="results/audit/published_consistency.md",
    params:
        # the folder of the declared reference files (not the configured path again)
        reference_dir=lambda w, input: os.path.dirname(input.reference[0]) if input.reference else "",
    log:
        "results/logs/audit.log",
    script:
        "../scripts/audit.py"
