from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "reunite.matching"
    label = "matching"
    verbose_name = "Matching runs and review queue"
