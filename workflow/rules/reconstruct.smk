# reconstruct (opt-in, not part of `all`): the published tables of RIVM 270161002 ->
# data/raw/rivm2009, a respondent-level export rebuilt by an integer program (HiGHS). It is the
# only rule that writes into data/raw. Deterministic: running it twice gives identical files.
#
# Why no declared output: the files it writes are the *input* of the rivm2009 wave. Declared as
# outputs, Snakemake would rerun the solver inside `snakemake --cores 4` whenever the codebook or
# the code was newer than data/raw (a fresh clone, an edited label), rewriting raw data
# behind the user's back. A rule without output runs only when asked for: `snakemake reconstruct`.


localrules: reconstruct


rule reconstruct:
    input:
        reference=expand("data/reference/rivm2010/{name}.csv", name=sorted(glob_wildcards("data/reference/rivm2010/{name}.csv").name)),
        codebook="config/codebook.yaml",
        sectors="config/sectors.yaml",
    params:
        out={
            "csv": "data/raw/rivm2009/responses.csv",
            "sav": "data/raw/rivm2009/responses.sav",
            "municipalities": "data/raw/rivm2009/municipalities.csv",
            "interviews": "data/raw/rivm2009/interviews.csv",
            "sent_by_sector": "data/raw/rivm2009/sent_by_sector.csv",
            "notes": "data/raw/rivm2009/RECONSTRUCTION.md",
        },
        time_limit=60,  # seconds; the notes report the gap if it is ever hit
        command="snakemake reconstruct",
    log:
        "results/logs/reconstruct.log",
    script:
        "../scripts/reconstruct.py"
