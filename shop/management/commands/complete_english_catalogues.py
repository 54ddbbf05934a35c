from pathlib import Path

from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.core.management.base import BaseCommand

SOURCE_LANGUAGE = "en"


class Command(BaseCommand):
    help = (
        "Fill the English catalogues: the source strings are English, so each English "
        "translation is its own msgid. Run by `make messages` after makemessages."
    )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        for path in sorted(root.glob(f"**/locale/{SOURCE_LANGUAGE}/LC_MESSAGES/django.po")):
            if ".venv" in path.parts or "var" in path.parts:
                continue
            with path.open("rb") as handle:
                catalogue = read_po(handle, locale=SOURCE_LANGUAGE)
            catalogue.locale = SOURCE_LANGUAGE
            catalogue.fuzzy = False
            catalogue.project = "Cooperative Society"
            catalogue.version = "1.0"
            catalogue.copyright_holder = "Cooperative Society"
            catalogue.last_translator = "Cooperative Society <info@coopsociety.gr>"
            catalogue.language_team = "Cooperative Society <info@coopsociety.gr>"
            catalogue.revision_date = catalogue.creation_date
            for message in catalogue:
                if not message.id:
                    continue
                if isinstance(message.id, tuple | list):
                    message.string = tuple(message.id)
                else:
                    message.string = message.id
                message.flags.discard("fuzzy")
            with path.open("wb") as handle:
                write_po(handle, catalogue, width=88, include_previous=False)
            self.stdout.write(f"{path.relative_to(root)}: {len(catalogue)} messages")
