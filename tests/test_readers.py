"""Each reader gives the same raw form: strings, missing as <NA>, file row numbers."""
import pandas as pd
import pyreadstat
import pytest

from analysis.core.io.readers import ExportReadError, read_export

ROWS = pd.DataFrame({"respondent_id": ["A1", "A2"], "hours_per_week": ["32,5", "36"], "note": ["café", ""]})


def _csv(tmp_path, sep, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes(ROWS.to_csv(index=False, sep=sep).encode(encoding))
    return path


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_variants_read_alike(tmp_path, sep, encoding):
    raw = read_export(_csv(tmp_path, sep, encoding))
    assert list(raw.data.columns) == ["respondent_id", "hours_per_week", "note"]  # no BOM in the name
    assert raw.data.loc[0, "note"] == "café"
    assert raw.data.loc[0, "hours_per_week"] == "32,5"  # decimal comma survives the semicolon file
    assert pd.isna(raw.data.loc[1, "note"])
    assert raw.file_rows.tolist() == [2, 3]  # header is line 1


def test_sav_user_missing_codes_become_missing_and_labels_are_kept(tmp_path):
    path = tmp_path / "export.sav"
    frame = pd.DataFrame({"respondent_id": ["A1", "A2", "A3"], "Q1": [1.0, 2.0, 9.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"Q1": {1: "Ja", 2: "Nee", 9: "Geen antwoord"}},
                         missing_ranges={"Q1": [9]})
    raw = read_export(path)
    assert raw.data["Q1"].tolist()[:2] == ["1", "2"]  # 1.0 -> "1"
    assert pd.isna(raw.data.loc[2, "Q1"])  # user-missing 9 is missing, not an answer
    assert raw.value_labels["Q1"]["1"] == "Ja"
    assert raw.file_rows.tolist() == [1, 2, 3]  # SPSS case numbers


def test_xlsx_numbers_read_as_codes(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame({"respondent_id": ["A1", "A2"], "Q1": [1, 0], "hours": [32.5, None]}).to_excel(path, index=False)
    raw = read_export(path)
    assert raw.data["Q1"].tolist() == ["1", "0"]
    assert raw.data.loc[0, "hours"] == "32.5" and pd.isna(raw.data.loc[1, "hours"])
    assert raw.file_rows.tolist() == [2, 3]  # sheet rows


def test_unknown_file_type_is_refused(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("{}")
    with pytest.raises(ExportReadError, match="unsupported file type"):
        read_export(path)
