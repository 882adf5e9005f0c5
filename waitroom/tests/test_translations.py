"""Every text the code shows has its German translation: the German catalog is
made again from the code, as `manage.py makemessages -l de` does (in a copy of
the project, so the tree stays as it is), and nothing in it may be left
untranslated or only guessed (fuzzy: a German page would show English)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "var", "node_modules", "__pycache__", "*.sqlite3*", "bench")


def msgids(po, *only):
    """The msgids `msgattrib` keeps with these options, the header left out."""
    out = subprocess.run(["msgattrib", *only, "--no-location", str(po)], check=True, capture_output=True, text=True)
    entries = [e.strip() for e in out.stdout.split("\n\n") if "msgid" in e]
    return [e for e in entries if '"Project-Id-Version:' not in e]


def test_every_text_of_the_code_has_its_german_translation(tmp_path):
    copy = tmp_path / "waitroom"
    shutil.copytree(ROOT, copy, ignore=LEFT_OUT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "WAITROOM_"))}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    po = copy / "locale" / "de" / "LC_MESSAGES" / "django.po"

    missing = msgids(po, "--untranslated") + msgids(po, "--only-fuzzy")

    assert not missing, "No German in locale/de/LC_MESSAGES/django.po for:\n\n" + "\n\n".join(missing)
