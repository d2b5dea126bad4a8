from django.db import migrations

DEFAULTS = {
    "heating": "kWh",
    "hot_tap_water": "m3",
    "cooling": "kWh",
    "electricity": "kWh",
    "gas": "m3",
    "water": "m3",
}


def create_services(apps, schema_editor):
    Service = apps.get_model("consumption", "Service")
    for code, unit in DEFAULTS.items():
        Service.objects.get_or_create(code=code, defaults={"unit": unit})


class Migration(migrations.Migration):
    dependencies = [("consumption", "0001_initial")]

    operations = [migrations.RunPython(create_services, migrations.RunPython.noop)]
