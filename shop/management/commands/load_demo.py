from django.core.management.base import BaseCommand

from shop.demo import load_market_demo


class Command(BaseCommand):
    help = "Load the Greek demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        counts = load_market_demo()
        summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({summary})."))
