"""Case and CaseEvent left the registry for the cases app (state only; the tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0003_case_moved_to_cases_app'),
        ('registry', '0001_initial'),
        ('verification', '0002_case_moved_to_cases_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='caseevent',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='caseevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='caseevent',
                    name='organization',
                ),
                migrations.DeleteModel(
                    name='Case',
                ),
                migrations.DeleteModel(
                    name='CaseEvent',
                ),
            ],
        ),
    ]
