"""Django app reunite.reunification."""

from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "reunite.reunification"
    label = "reunification"
    verbose_name = "Reunification: rounds, transfers, custody and follow-up"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from reunite.cases.actions import register_transition_guard, register_transition_hook
        from reunite.cases.columns import register_case_column
        from reunite.reunification.actions import followup
        from reunite.reunification.columns import round_column
        from reunite.reunification.rounds.actions import reunified_guard, scheduled_guard

        # Rounds: a case is scheduled only in a round, and reunified only when the final
        # handover to the legal representative is confirmed by both sides.
        register_transition_guard("scheduled", scheduled_guard)
        register_transition_guard("reunified", reunified_guard)
        # Reunification starts the follow-up plan; a case with an unfinished plan closes
        # only with a note that says why.
        register_transition_hook("reunified", followup.start_plan)
        register_transition_guard("closed", followup.closing_guard)
        register_case_column("round", _("Round"), round_column)
        register_case_column("followup", _("Follow-up"), followup.overdue_column)
