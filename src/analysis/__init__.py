"""Replication pipeline for RIVM Rapport 270161002 (2010): pure functions, no Snakemake here."""
