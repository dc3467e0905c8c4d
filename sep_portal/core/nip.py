"""NIP (Nomor Induk Pegawai): 18 digits.

    YYYYMMDD  date of birth
    YYYYMM    year and month of appointment (TMT CPNS)
    G         sex: 1 male, 2 female
    NNN       serial number
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from sep_portal.core import clock

_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_nip(value: str) -> str:
    """Drop the spaces, dots and dashes people type between the groups of a NIP."""
    return _SEPARATORS.sub("", value or "")


def nip_problem(value: str, *, today: date | None = None) -> str | None:
    """Why ``value`` is not a valid NIP, as a message for the user; None if it is valid."""
    nip = normalize_nip(value)
    if not nip.isdigit() or len(nip) != 18:
        return str(_l("A NIP has exactly 18 digits."))
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return str(_l("The first 8 digits of the NIP are not a valid date of birth."))
    today = today or clock.now().astimezone(clock.WIB).date()
    if born > today or born.year < 1900:
        return str(_l("The first 8 digits of the NIP are not a valid date of birth."))
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        return str(_l("Digits 9–14 of the NIP are not a valid year and month of appointment."))
    if (year, month) <= (born.year, born.month):
        return str(_l("The appointment date in the NIP must be after the date of birth."))
    if nip[14] not in "12":
        return str(_l("Digit 15 of the NIP (sex) must be 1 or 2."))
    if nip[15:] == "000":
        return str(_l("The last 3 digits of the NIP (serial number) cannot be 000."))
    return None


def is_valid_nip(value: str, *, today: date | None = None) -> bool:
    return nip_problem(value, today=today) is None
