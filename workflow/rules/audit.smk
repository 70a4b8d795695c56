# Audit of the published report: every internal inconsistency of the printed numbers
# (data/reference/rivm2010, values as printed) -> results/audit/published_consistency.csv/.md
from pathlib import Path

# The published numbers to audit: the RIVM 2010 report.
AUDIT_REFERENCE_DIR = "data/reference/rivm2010"


rule audit:
    input:
        reference=sorted(str(p) for p in Path(AUDIT_REFERENCE_DIR).glob("*.csv")),
        code=code_of("audit"),
    output:
        csv="results/audit/published_consistency.csv",
        md="results/audit/published_consistency.md",
    log:
        "results/logs/audit.log",
    script:
        "../scripts/audit.py"
