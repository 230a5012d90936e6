from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "reunite.matching"
    label = "matching"
    verbose_name = "Matching runs and review queue"

    def ready(self) -> None:
        from reunite.jobs.api import register

        register("matching.run", "reunite.matching.jobs.run_matching_job")
