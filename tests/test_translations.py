"""The Indonesian catalogue covers every message in the sources, with the same placeholders."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "sep_portal" / "translations" / "id" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _extract(tmp_path: Path):
    """The messages of the sources, as `make extract-messages` finds them (templates/_macros too:
    pybabel's default skips folders starting with "_")."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs", ".* __pycache__", "-o", str(pot), "."],
        check=True, cwd=ROOT, capture_output=True,
    )
    with pot.open("rb") as f:
        return read_po(f)


def test_every_message_is_translated_to_indonesian(tmp_path):
    template = _extract(tmp_path)
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="id")
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if translated is not None and isinstance(translated.string, tuple) else (
            (translated.string,) if translated is not None else ())
        if translated is None or not strings or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif any(sorted(PLACEHOLDER.findall(ids[-1])) != sorted(PLACEHOLDER.findall(s)) for s in strings):
            problems.append(f"placeholders differ: {message.id!r}")
    assert not problems, "Run `make extract-messages` and translate:\n" + "\n".join(problems)


def test_the_shared_macros_are_extracted(tmp_path):
    """templates/_macros holds the form error banner every form shows: its folder name starts with
    "_", which pybabel skips by default, so its messages once never reached the catalogue."""
    sources = {location[0] for message in _extract(tmp_path) for location in message.locations}
    assert {"templates/_macros/forms.html", "templates/_macros/lists.html"} <= sources


def test_the_indonesian_ui_has_one_word_for_e_mail():
    """"Email" throughout (the word most of the catalogue already used), never "surel" or "e-mail"
    beside it: a reader should not wonder whether a "surel" is something other than an email."""
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="id")
    other_words = re.compile(r"\b(surel|e-mail)\b", re.IGNORECASE)
    offenders = [message.id for message in catalogue if message.id
                 for text in (message.string if isinstance(message.string, tuple) else (message.string,))
                 if text and other_words.search(text)]
    assert not offenders, offenders
