"""core.exports: the spreadsheet helpers every export and report uses."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from sep_portal.core import exports


def test_safe_cell_neutralises_every_formula_start():
    for start in exports.FORMULA_START:
        assert exports.safe_cell(start + "1+1") == "'" + start + "1+1"
    assert exports.safe_cell("Andi Pratama") == "Andi Pratama"
    assert exports.safe_cell("") == ""


def test_csv_lines_stream_a_bom_header_and_one_line_per_row():
    lines = list(exports.csv_lines(iter([["1", "Ani, S.Kom"], ["2", 'kata "kutip"']]), ("no", "nama")))
    assert len(lines) == 3 and lines[0].startswith("\ufeff")
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows == [["no", "nama"], ["1", "Ani, S.Kom"], ["2", 'kata "kutip"']]


def test_xlsx_file_keeps_text_as_text(tmp_path):
    path = exports.xlsx_file(iter([["199001012015031001", "Ani"]]), ("nip", "nama"), tmp_path / "a.xlsx",
                             sheet="Data")
    sheet = load_workbook(path)["Data"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["nip", "nama"], ["199001012015031001", "Ani"]]


def test_every_export_uses_the_one_set_of_helpers():
    from sep_portal.helpdesk import dashboard
    from sep_portal.tenants import importer

    assert dashboard.csv_lines is exports.csv_lines and dashboard.xlsx_file is exports.xlsx_file
    assert dashboard.safe_cell is exports.safe_cell and importer.safe_cell is exports.safe_cell
    assert not hasattr(importer, "csv_lines") and not hasattr(importer, "xlsx_file")
