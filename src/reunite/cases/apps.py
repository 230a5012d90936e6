"""Django app reunite.cases."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "reunite.cases"
    label = "cases"
    verbose_name = "Cases"
