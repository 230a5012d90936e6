"""Django app reunite.verification."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "reunite.verification"
    label = "verification"
    verbose_name = "Verification of family ties and best interests"

    def ready(self) -> None:
        from reunite.cases.actions import register_transition_guard
        from reunite.verification.actions import approval_guard

        # A case reaches "approved for reunification" only with a relationship verified by
        # two verifiers and a best-interests decision in favour (with the child's views).
        register_transition_guard("approved", approval_guard)
