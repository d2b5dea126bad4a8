"""Seven decimals for readings and aggregates (issue 15): an organisation metering in MWh or GJ
sends interval values such as 0.00004 that four decimals rounded to zero. Widening the scale
rewrites the tables once (PostgreSQL cannot change a numeric's scale in place); the integer digits
stay as they were."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("consumption", "0003_meter_installed_removed")]

    operations = [
        migrations.AlterField(
            model_name="intervalreading",
            name="value",
            field=models.DecimalField(decimal_places=7, max_digits=19),
        ),
        migrations.AlterField(
            model_name="registerreading",
            name="value",
            field=models.DecimalField(decimal_places=7, max_digits=20),
        ),
        migrations.AlterField(
            model_name="dailyconsumption",
            name="value",
            field=models.DecimalField(decimal_places=7, max_digits=21, null=True),
        ),
        migrations.AlterField(
            model_name="dailyconsumption",
            name="register_value",
            field=models.DecimalField(decimal_places=7, max_digits=20, null=True),
        ),
        migrations.AlterField(
            model_name="monthlyconsumption",
            name="value",
            field=models.DecimalField(decimal_places=7, max_digits=21, null=True),
        ),
    ]
