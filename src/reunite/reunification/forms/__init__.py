"""Forms of the reunification screens, one module per noun (``followup``, …)."""
