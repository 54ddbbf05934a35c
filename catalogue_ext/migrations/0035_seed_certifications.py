from django.db import migrations

CERTIFICATIONS = [
    ("organic", "Βιολογικό", 1),
    ("pdo", "ΠΟΠ", 2),
    ("pgi", "ΠΓΕ", 3),
    ("fair-trade", "Δίκαιο εμπόριο", 4),
    ("handmade", "Χειροποίητο", 5),
]


def seed(apps, schema_editor):
    Certification = apps.get_model("catalogue", "Certification")
    for code, name, order in CERTIFICATIONS:
        Certification.objects.update_or_create(
            code=code, defaults={"name": name, "display_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0034_products_and_services")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
