from django.db import migrations

# The founders' ten themes, in their order (titles are in mentors/themes.py).
THEME_SLUGS = [
    "agenda-and-resources",
    "local-employment",
    "local-development",
    "local-government",
    "agri-food",
    "green-economy-energy-communities",
    "health",
    "culture-and-tourism",
    "social-capital",
    "benefits",
]


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("mentors", "Theme")
    for position, slug in enumerate(THEME_SLUGS, start=1):
        Theme.objects.update_or_create(slug=slug, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(seed_themes, migrations.RunPython.noop)]
