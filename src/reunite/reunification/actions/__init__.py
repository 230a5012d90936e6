"""Every write of the reunification app, one module per noun (``followup``, …)."""
