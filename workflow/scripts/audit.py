"""Snakemake script of rule `audit`: audit the published numbers, write the CSV and the report."""
import logging

from analysis.rivm2010.audit import find_inconsistencies, load_reference, render_markdown, summarize


def main(reference_dir: str, csv_path: str, md_path: str) -> None:
    reference = load_reference(reference_dir)
    findings = find_inconsistencies(reference)
    summary = summarize(reference, findings)
    logging.info("rounding rule %s; %d findings", summary["rule"], len(findings))
    # "\n" line ends and no index so that reruns give byte-identical files.
    findings.to_csv(csv_path, index=False, lineterminator="\n")
    with open(md_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(render_markdown(findings, summary))


if __name__ == "__main__":
    sm = snakemake  # noqa: F821 (injected by Snakemake)
    logging.basicConfig(filename=sm.log[0], level=logging.INFO, format="%(levelname)s %(message)s")
    main(sm.params.reference_dir, sm.output.csv, sm.output.md)
