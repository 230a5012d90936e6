"""Evidence, decisions and determinations now point at cases.Case: the same table, state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('verification', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='bestinterestsdetermination',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bids', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='relationshipdecision',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='relationship_decisions', to='cases.case'),
                ),
            ],
        ),
    ]
