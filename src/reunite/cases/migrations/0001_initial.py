"""Case and CaseEvent move here from the registry app, state only: the tables keep their names
(``registry_case``, ``registry_caseevent``, ``registry_case_shared_with``) and their data."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('registry', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Case',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('record_id', models.CharField(blank=True, help_text="The owner's own identifier (from list files).", max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('reference', models.CharField(max_length=20, unique=True)),
                        ('state', models.CharField(choices=[('registered', 'Registered'), ('tracing', 'Tracing'), ('match_proposed', 'Match proposed'), ('verification', 'Verification'), ('best_interests', 'Best-interests determination'), ('approved', 'Approved for reunification'), ('scheduled', 'Scheduled'), ('in_transit', 'In transit'), ('reunified', 'Reunified'), ('follow_up', 'Follow-up'), ('closed', 'Closed')], default='registered', max_length=20)),
                        ('closing_reason', models.CharField(blank=True, choices=[('reunified', 'Reunified'), ('found_adult', 'Found, now an adult'), ('declined', 'Declined'), ('deceased', 'Deceased'), ('duplicate', 'Duplicate'), ('other', 'Other')], max_length=16)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('child', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='registry.child')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('enquiry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='registry.enquiry')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
                        ('shared_with', models.ManyToManyField(blank=True, related_name='+', to='accounts.organization')),
                    ],
                    options={
                        'db_table': 'registry_case',
                        'ordering': ['-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CaseEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_state', models.CharField(blank=True, choices=[('registered', 'Registered'), ('tracing', 'Tracing'), ('match_proposed', 'Match proposed'), ('verification', 'Verification'), ('best_interests', 'Best-interests determination'), ('approved', 'Approved for reunification'), ('scheduled', 'Scheduled'), ('in_transit', 'In transit'), ('reunified', 'Reunified'), ('follow_up', 'Follow-up'), ('closed', 'Closed')], max_length=20)),
                        ('to_state', models.CharField(choices=[('registered', 'Registered'), ('tracing', 'Tracing'), ('match_proposed', 'Match proposed'), ('verification', 'Verification'), ('best_interests', 'Best-interests determination'), ('approved', 'Approved for reunification'), ('scheduled', 'Scheduled'), ('in_transit', 'In transit'), ('reunified', 'Reunified'), ('follow_up', 'Follow-up'), ('closed', 'Closed')], max_length=20)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('note', models.TextField(blank=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
                    ],
                    options={
                        'db_table': 'registry_caseevent',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='case',
                    constraint=models.CheckConstraint(condition=models.Q(('child__isnull', False), ('enquiry__isnull', False), _connector='OR'), name='case_has_child_or_enquiry'),
                ),
            ],
        ),
    ]
