# The usage alert compares with the same month last year, similar homes or both (issue 19): a column
# with a default and no CHECK on each existing table (Citus adds those in one statement).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_email_set_null_in_database'),
    ]

    operations = [
        migrations.AddField(
            model_name='notificationdefaults',
            name='usage_comparison',
            field=models.CharField(choices=[('last_year', 'The same month last year'), ('similar_homes', 'Similar homes'), ('both', 'Both')], default='both', max_length=20, verbose_name='usage alert compares with'),
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='comparison',
            field=models.CharField(blank=True, choices=[('last_year', 'The same month last year'), ('similar_homes', 'Similar homes'), ('both', 'Both')], default='', max_length=20),
        ),
    ]
