from django.conf import settings
from django.core.management.base import BaseCommand

from thinktank.facebook import mirror_facebook_posts


class Command(BaseCommand):
    help = (
        "Copy the latest posts of the platform's Facebook page through the Graph API "
        "(needs FACEBOOK_PAGE_ACCESS_TOKEN)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10, help="How many posts to read.")

    def handle(self, *args, limit, **options):
        if not settings.FACEBOOK_PAGE_ACCESS_TOKEN:
            self.stdout.write(
                "FACEBOOK_PAGE_ACCESS_TOKEN is not set: nothing to do. Without it the "
                "pages show a placeholder that loads Facebook's plugin only on request."
            )
            return
        new_posts = mirror_facebook_posts(limit=limit)
        self.stdout.write(f"New Facebook posts: {new_posts}")
