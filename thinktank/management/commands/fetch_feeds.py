from django.core.management.base import BaseCommand

from thinktank.network import failed_feeds, fetch_all_feeds


class Command(BaseCommand):
    help = (
        "Read the RSS/Atom feeds of the network's verified organisations now and store "
        "their latest posts. A failing feed is listed but does not make the command fail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=float, default=10, help="Seconds to wait for each site."
        )

    def handle(self, *args, timeout, **options):
        counts = fetch_all_feeds(timeout=timeout)
        self.stdout.write(
            f"Feeds read: {counts['fetched']}, failed: {counts['failed']}, "
            f"new posts: {counts['new_posts']}"
        )
        if counts["failed"]:
            for feed in failed_feeds():
                self.stdout.write(
                    self.style.WARNING(
                        f"  {feed.organisation.name} <{feed.url}>: {feed.last_error}"
                    )
                )
