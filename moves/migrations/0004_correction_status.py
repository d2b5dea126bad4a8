"""Move requests whose reading staff could not record go back to the resident: status "correction",
which keeps the location's move-out open (one open move-out per location)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moves", "0003_move_out_cancellation"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="moveoutrequest",
            name="one_open_move_out_per_location",
        ),
        migrations.AlterField(
            model_name="moveinrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("scheduled", "Scheduled"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("correction", "Reading to correct"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="moveoutrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("scheduled", "Scheduled"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                    ("correction", "Reading to correct"),
                ],
                default="submitted",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="moveoutrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status", "submitted"),
                    ("status", "scheduled"),
                    ("status", "correction"),
                    _connector="OR",
                ),
                fields=("contract_location",),
                name="one_open_move_out_per_location",
            ),
        ),
    ]
