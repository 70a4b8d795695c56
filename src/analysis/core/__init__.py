"""The survey engine: knows questionnaires, waves and cells, not any one study or publication."""
