"""Django app reunite.reunification."""

from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "reunite.reunification"
    label = "reunification"
    verbose_name = "Reunification: rounds, transfers, custody and follow-up"

    def ready(self) -> None:
        # Rounds: a case is scheduled only in a round, and reunified only when the final
        # handover to the legal representative is confirmed by both sides.
        from reunite.cases.actions import register_transition_guard
        from reunite.reunification.rounds.actions import reunified_guard, scheduled_guard

        register_transition_guard("scheduled", scheduled_guard)
        register_transition_guard("reunified", reunified_guard)
