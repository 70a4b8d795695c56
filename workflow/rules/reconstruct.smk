# reconstruct (opt-in, not part of `all`): the published tables of RIVM 270161002 ->
# data/raw/rivm2009, a respondent-level export rebuilt by an integer program (HiGHS). It is the
# only rule that writes into data/raw. Deterministic: running it twice gives identical files.
#
# Why no declared output: the files it writes are the *input* of the rivm2009 wave. Declared as
# outputs, Snakemake would rerun the solver inside `snakemake --cores 4` whenever the codebook or
# the code was newer than data/raw (a fresh clone, an edited label), rewriting raw data
# behind the user's back. A rule without output runs only when asked for: `snakemake reconstruct`.
#
# Where it reads and writes comes from config/config.yaml: the wave marked `reconstructed: true`
# (its `reference` folder in; its export, municipality sheet, questionnaires sent and interview
# register out, and beside the export the SPSS copy and RECONSTRUCTION.md).
import glob
import os

RECONSTRUCTED_WAVES = [w for w in WAVES if wave_cfg(w).get("reconstructed")]


localrules: reconstruct


if RECONSTRUCTED_WAVES:
    RECONSTRUCTED_WAVE = RECONSTRUCTED_WAVES[0]

    rule reconstruct:
        input:
            reference=sorted(glob.glob(os.path.join(wave_cfg(RECONSTRUCTED_WAVE)["reference"], "*.csv"))),
            codebook=config["codebook"],
            sectors=config["sectors"],
        params:
            reference_dir=lambda w, input: os.path.dirname(input.reference[0]),
            out=reconstruct_outputs(RECONSTRUCTED_WAVE),
            # seconds of wall time; the notes report the gap if it is ever hit. A limit, not the time
            # it takes (benchmarks/README.md): generous because the machine may be shared.
            time_limit=300,
            command="snakemake reconstruct",
        log:
            "results/logs/reconstruct.log",
        script:
            "../scripts/reconstruct.py"
