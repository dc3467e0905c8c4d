"""The 18-digit number of a civil servant (ASN): the NIP of a PNS or the NI PPPK of a PPPK.

    NIP (PNS), Peraturan Kepala BKN No. 43 Tahun 2007 (Nomor Identitas PNS):
        YYYYMMDD  date of birth
        YYYYMM    year and month of first appointment (TMT CPNS)
        G         sex: 1 male, 2 female
        NNN       serial number

    NI PPPK (PPPK, appointed since 2019 under PP No. 49 Tahun 2018; the number is set by BKN at
    the appointment):
        YYYYMMDD  date of birth
        YYYY      year of first appointment as calon PPPK (2019 or later)
        2K        the PPPK code in place of the month: 2, then the work agreement's count K (1-9);
                  commonly 21, e.g. 198903152021211001
        G         sex: 1 male, 2 female
        NNN       serial number

Digits 13-14 tell the two apart: 01-12 is a PNS appointment month, 21-29 a PPPK code. The checks
that hold for both (birth date, appointment after birth, sex digit, serial) apply to both.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from flask_babel import lazy_gettext as _l

from sep_portal.core import clock

_SEPARATORS = re.compile(r"[\s.\-]")
PPPK_FIRST_YEAR = 2019  # the first PPPK were appointed under PP 49/2018 in 2019
AsnType = Literal["pns", "pppk"]
ASN_TYPE_LABELS = {"pns": _l("PNS"), "pppk": _l("PPPK")}


def normalize_nip(value: str) -> str:
    """Drop the spaces, dots and dashes people type between the groups of a NIP."""
    return _SEPARATORS.sub("", value or "")


def asn_type(value: str | None) -> AsnType | None:
    """``pns`` or ``pppk`` by the shape of a valid number (digits 13-14), None if it is neither."""
    nip = normalize_nip(value or "")
    if len(nip) != 18 or not nip.isdigit():
        return None
    code = int(nip[12:14])
    if 1 <= code <= 12:
        return "pns"
    if 21 <= code <= 29:
        return "pppk"
    return None


def nip_problem(value: str, *, today: date | None = None) -> str | None:
    """Why ``value`` is not a valid NIP or NI PPPK, as a message for the user; None if it is valid."""
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
    year, code = int(nip[8:12]), int(nip[12:14])
    kind = asn_type(nip)
    if kind is None:
        return str(_l("Digits 13–14 of the NIP must be the month of appointment (01–12) or, for a PPPK, "
                      "the PPPK code (21–29)."))
    if kind == "pns" and (year, code) <= (born.year, born.month):
        return str(_l("The appointment date in the NIP must be after the date of birth."))
    if kind == "pppk" and not (PPPK_FIRST_YEAR <= year <= today.year and year > born.year):
        return str(_l("Digits 9–12 of an NI PPPK are the year of appointment: %(first)d or later, and after the "
                      "year of birth.", first=PPPK_FIRST_YEAR))
    if kind == "pns" and year > today.year:
        return str(_l("Digits 9–14 of the NIP are not a valid year and month of appointment."))
    if nip[14] not in "12":
        return str(_l("Digit 15 of the NIP (sex) must be 1 or 2."))
    if nip[15:] == "000":
        return str(_l("The last 3 digits of the NIP (serial number) cannot be 000."))
    return None


def is_valid_nip(value: str, *, today: date | None = None) -> bool:
    return nip_problem(value, today=today) is None
