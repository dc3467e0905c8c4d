"""Spreadsheet exports shared by every feature: cells that never run as formulas, CSV streamed line
by line (with the BOM Excel needs for UTF-8), XLSX written in streaming mode."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula (CSV/formula injection):
    a name such as ``=HYPERLINK(...)`` is written as ``'=HYPERLINK(...)``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_lines(rows: Iterable[list[Any]], header: tuple[str, ...]) -> Iterator[str]:
    """The header and then each row as one CSV line, for a streamed response: memory stays flat
    whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()  # a BOM, so Excel opens UTF-8 correctly
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


def xlsx_file(rows: Iterable[list[Any]], header: tuple[str, ...], path: Path, *, sheet: str = "Akun") -> Path:
    """Write an XLSX in streaming mode (openpyxl write-only): NIPs stay text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path
