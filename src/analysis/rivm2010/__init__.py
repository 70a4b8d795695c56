"""The 2010 study (RIVM Rapport 270161002): its published reference, the audit, the replication, the reconstruction."""
