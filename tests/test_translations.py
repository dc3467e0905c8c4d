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
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
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
        if translated is None or not translated.string:
            problems.append(f"untranslated: {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(translated.string)):
            problems.append(f"placeholders differ: {message.id!r}")
    assert not problems, "Run `make extract-messages` and translate:\n" + "\n".join(problems)
