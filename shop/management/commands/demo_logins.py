from django.core.management.base import BaseCommand

from shop.demo import DEMO_PASSWORD, STAFF_EMAIL, demo_member_email
from shop.demo_data import ORGANISATIONS


class Command(BaseCommand):
    help = "Print the demo log-ins created by load_demo."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  platform staff:       {STAFF_EMAIL}")
        for organisation in ORGANISATIONS[:3]:
            self.stdout.write(
                f"  organisation member:  {demo_member_email(organisation['login'])}"
                f"  ({organisation['name']})"
            )
        self.stdout.write(
            f"  ... and <login>@demo.coopsociety.gr for each of the {len(ORGANISATIONS)} "
            "demo organisations."
        )
