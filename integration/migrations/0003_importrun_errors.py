from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0002_portalchange"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="errors",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
