"""Every user-facing text exists in Dutch and French.

The catalogues in ``locale/`` must be complete (no untranslated or fuzzy entry), and the texts the
code and templates mark for translation must all be in them: ``makemessages`` is run on a copy of
the catalogues (the sources are linked into a temporary folder, so the repository is not touched)
and must find no new message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "fr")
# Folders without user-facing texts (tests, tooling, deployment files).
NOT_SOURCES = {"tests", "locale", "docs", "helm", "benchmarks", "scripts", "node_modules", "staff_console"}


def _statistics(po: Path) -> str:
    completed = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stderr.strip()


def _msgids(po: Path) -> set[str]:
    """The msgids of a catalogue (joined continuation lines, unescaped enough to compare)."""
    ids, current, reading = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif reading and line.startswith('"'):
            current.append(line)
        else:
            if reading:
                ids.add("".join(part.strip()[1:-1] for part in current))
            reading = False
    return ids - {""}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_complete(language):
    statistics = _statistics(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


@pytest.mark.slow
def test_every_text_marked_for_translation_is_in_the_catalogues(tmp_path):
    for entry in ROOT.iterdir():
        if entry.is_dir() and not entry.name.startswith(".") and entry.name not in NOT_SOURCES:
            (tmp_path / entry.name).symlink_to(entry, target_is_directory=True)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    environment = {**os.environ, "DEBUG": "1"}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "--symlinks", "--no-obsolete"]
        + [f"--locale={language}" for language in LANGUAGES],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for language in LANGUAGES:
        extracted = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        committed = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        missing = _msgids(extracted) - _msgids(committed)
        assert not missing, f"texts without a {language} translation (run makemessages): {sorted(missing)}"
        assert re.fullmatch(r"\d+ translated messages?\.", _statistics(extracted))
