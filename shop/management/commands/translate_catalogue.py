import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Fill a catalogue's entries from a JSON file of {msgid: translation} (a list for "
        "plural forms), clearing their fuzzy flags; for translators working outside a PO "
        "editor."
    )

    def add_arguments(self, parser):
        parser.add_argument("catalogue", help="path of the .po file")
        parser.add_argument("translations", help="path of the JSON file")

    def handle(self, *args, **options):
        path = Path(options["catalogue"])
        translations = json.loads(Path(options["translations"]).read_text(encoding="utf-8"))
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        filled = 0
        for message in catalogue:
            key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
            if key and key in translations:
                value = translations[key]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
                filled += 1
        if filled != len(translations):
            raise CommandError(f"{len(translations) - filled} translations matched no entry")
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=88, include_previous=False)
        self.stdout.write(f"{path}: {filled} entries filled")
