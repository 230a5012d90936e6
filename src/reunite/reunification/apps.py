"""Django app reunite.reunification."""

from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "reunite.reunification"
    label = "reunification"
    verbose_name = "Reunification: rounds, transfers, custody and follow-up"
