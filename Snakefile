# RIVM Rapport 270161002 (2010) replication: `snakemake --cores 4` builds every configured wave.
# Data flow: data/raw/<wave> -> validate -> responses.parquet -> aggregate -> cells.csv
#            -> publication (tables, figures) -> replication -> report.html + fact sheets   (see README.md)
import re

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


# wave entries the schema cannot judge (reserved or malformed ids, items not in the codebook, two
# columns mapped onto one item, missing files) and a key given twice in a config file, the codebook
# or the sector list: refused here, before any job, with key and fix
from snakemake.exceptions import WorkflowError

from analysis.core.io.wave_config import wave_config_report

CONFIG_REPORT = wave_config_report(config, getattr(workflow, "configfiles", None) or ["config/config.yaml"])
if CONFIG_REPORT:
    raise WorkflowError(CONFIG_REPORT)
validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"


# a wave wildcard only ever matches a configured wave id ("waves" and "audit" are result folders)
wildcard_constraints:
    wave="|".join(re.escape(w) for w in WAVES),


include: "workflow/rules/validate.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/publication.smk"
include: "workflow/rules/audit.smk"
include: "workflow/rules/replicate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/waves.smk"
include: "workflow/rules/reconstruct.smk"
include: "workflow/rules/export.smk"


rule all:
    input:
        sorted({target for wave in WAVES for target in wave_targets(wave)}) + cross_wave_targets() + CODEBOOK_DOCS,
    default_target: True
