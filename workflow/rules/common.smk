# Helpers shared by every stage: the configured waves and the inputs each rule depends on.
import re

WAVES = list(config["waves"])


wildcard_constraints:
    wave="|".join(re.escape(w) for w in WAVES),


def wave_cfg(wave):
    """The config entry of one wave (wave id -> dict)."""
    return config["waves"][wave]


def analysis_code(*modules):
    """Source files of src/analysis a rule runs, so that editing them reruns the rule."""
    return [f"src/analysis/{m}.py" for m in modules]


def wave_targets(wave):
    """Everything `rule all` builds for one wave."""
    return [f"results/{wave}/responses.parquet"]
