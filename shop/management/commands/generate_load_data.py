import time

from django.core.management.base import BaseCommand, CommandError

from shop.load_data import (
    DEFAULT_MEMBER_EMAIL,
    DEFAULT_MEMBER_PASSWORD,
    DEFAULT_SEED,
    Sizes,
    generate_load_data,
)
from shop.page_cache import SECTION_APPS, bump_sections


class Command(BaseCommand):
    help = (
        "Generate realistic Greek data at scale for benchmarks and trying the site. "
        "Data generated earlier is deleted first; the search index is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=500)
        parser.add_argument("--products", type=int, default=20000)
        parser.add_argument("--articles", type=int, default=5000)
        parser.add_argument("--questions", type=int, default=3000)
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed gives the same data."
        )
        parser.add_argument(
            "--member-email",
            default=DEFAULT_MEMBER_EMAIL,
            help="A user who is a member of the first generated organisation.",
        )
        parser.add_argument("--member-password", default=DEFAULT_MEMBER_PASSWORD)

    def handle(self, *args, **options):
        sizes = Sizes(
            organisations=options["organisations"],
            products=options["products"],
            articles=options["articles"],
            questions=options["questions"],
        )
        if min(sizes.organisations, sizes.products, sizes.articles, sizes.questions) < 0:
            raise CommandError("Sizes cannot be negative.")
        if sizes.organisations == 0 and (sizes.products or sizes.articles or sizes.questions):
            raise CommandError("Products, articles and questions need at least one organisation.")

        started = time.monotonic()
        counts = generate_load_data(
            sizes,
            seed=options["seed"],
            member_email=options["member_email"],
            member_password=options["member_password"],
        )
        elapsed = time.monotonic() - started
        # Bulk inserts send no signals: make every cached page stale by hand.
        bump_sections(list(SECTION_APPS))

        for name, count in counts.items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {count}")
        self.stdout.write(
            self.style.SUCCESS(f"Load data generated in {elapsed:.1f} s.")
            + f" Sign in as {options['member_email']} (password: {options['member_password']}),"
            " or as any generated user with the same password."
        )
        self.stdout.write(
            "The search index was not updated: run `manage.py rebuild_index` to build it."
        )
