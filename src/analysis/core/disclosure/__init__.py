"""Disclosure control: marks, small-cell suppression, the attacker that audits it, pseudonyms, a leak scan."""
