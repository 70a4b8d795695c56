"""Municipality pseudonyms: G- + 6 hex digits of sha256(salt + id), applied right after validation."""
from __future__ import annotations
import hashlib
import re
import pandas as pd

# what `pseudonym` gives: a sheet whose ids all look like this was pseudonymised before
PSEUDONYM = re.compile(r"^G-[0-9a-f]{6,64}$")


def pseudonym(municipality_id: str, salt: str, length: int = 6) -> str:
    return "G-" + hashlib.sha256(f"{salt}{municipality_id}".encode("utf-8")).hexdigest()[:length]


def pseudonym_among(municipality_id: str, salt: str, pseudonyms: set[str]) -> str | None:
    """The pseudonym `pseudonymise` gave this id, read off the pseudonyms it gave (their length
    grows when a sheet has collisions); None when the id is not in that sheet. For files that
    still carry raw ids, such as an interview register, joined to a public wave's sheet."""
    for length in range(6, 65, 2):
        name = pseudonym(municipality_id, salt, length)
        if name in pseudonyms:
            return name
    return None


def pseudonymise(municipalities: pd.DataFrame, salt: str, mode: str = "public") -> pd.DataFrame:
    """The municipality sheet with a `pseudonym` column ("G-" + 6 hex of sha256(salt + id)).

    Stable: the same salt and id give the same pseudonym in every run and wave, so a
    municipality can follow itself over waves. Collisions lengthen all pseudonyms of the sheet
    until they are distinct. In public mode the `name` column (and any `note`) is dropped.

    The salt is config (`disclosure: {pseudonym_salt: ...}`). A salt committed in the repo is not
    secret: anyone with the list of candidate municipality ids and the salt can recompute every
    pseudonym. Pseudonyms therefore protect against casual reading of published tables, not
    against a determined attacker with the sheet; for that, pass the salt at run time
    (`snakemake --config ...` or an untracked config file) and keep it with the raw data. Size
    class and n can still narrow a pseudonym down (there are only four G4 cities).
    """
    out = municipalities.copy()
    ids = out["municipality_id"].astype(str)
    length = 6
    while True:
        names = [pseudonym(m, salt, length) for m in ids]
        if len(set(names)) == len(set(ids)):
            break
        length += 2
    out["pseudonym"] = names
    if mode == "public":
        out = out.drop(columns=[c for c in ("name", "note") if c in out])
        if "cbs_code" in out:  # a real code names the municipality: keep only its pseudonym,
            # which the same salt makes the same in every wave (a fact sheet's previous wave)
            out["cbs_code"] = [pseudonym(f"cbs:{c}", salt) if c else "" for c in out["cbs_code"].astype(str)]
    return out


def public_wave(responses: pd.DataFrame, municipalities: pd.DataFrame, salt: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses and sheet of a public wave: every municipality id replaced by its pseudonym and
    names dropped, so that nothing built from them can name a municipality (new frames).

    A wave whose ids are pseudonyms already (a public microdata export read back as a wave)
    keeps them: hashing them again would rename every municipality of its tables."""
    ids = municipalities["municipality_id"].astype(str)
    if len(ids) and ids.map(lambda m: bool(PSEUDONYM.match(m))).all():
        sheet = municipalities.drop(columns=[c for c in ("name", "note") if c in municipalities])
        return responses.copy(), sheet.assign(pseudonym=ids)
    sheet = pseudonymise(municipalities, salt, "public")
    mapping = dict(zip(municipalities["municipality_id"].astype(str), sheet["pseudonym"]))
    out = responses.copy()
    out["municipality_id"] = out["municipality_id"].astype(str).map(mapping).astype("string")
    sheet["municipality_id"] = sheet["pseudonym"]
    return out, sheet
