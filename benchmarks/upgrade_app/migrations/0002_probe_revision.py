from django.db import migrations, models


class Migration(migrations.Migration):
    """The benchmark's release: one nullable column (no rewrite, no constraint), in every schema."""

    dependencies = [("bench_upgrade", "0001_initial")]

    operations = [
        migrations.AddField(model_name="probe", name="revision", field=models.IntegerField(null=True, blank=True)),
    ]
