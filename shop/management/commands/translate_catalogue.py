import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Fill a catalogue's entries from a JSON file of {msgid: translation} (a list for "
        'plural forms; "context\\u0004msgid" for a message with a context), clearing '
        "their fuzzy flags; for translators working outside a PO editor."
    )

    def add_arguments(self, parser):
        parser.add_argument("catalogue", help="path of the .po file")
        parser.add_argument("translations", help="path of the JSON file")

    def handle(self, *args, **options):
        path = Path(options["catalogue"])
        translations = json.loads(Path(options["translations"]).read_text(encoding="utf-8"))
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        matched = set()
        for message in catalogue:
            key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
            if key and message.context and f"{message.context}\u0004{key}" in translations:
                key = f"{message.context}\u0004{key}"
            if key and key in translations:
                value = translations[key]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
                matched.add(key)
        for key in sorted(set(translations) - matched):
            self.stderr.write(f"no entry for: {key!r}")
        filled = len(matched)
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=88, include_previous=False)
        self.stdout.write(f"{path}: {filled} entries filled")
