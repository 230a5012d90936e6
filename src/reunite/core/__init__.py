"""What every Django app of Reunite shares, so that no app imports another for it.

- :mod:`reunite.core.acting`: ``Acting``, the user acting for their organisation within one
  request or CLI run (every action takes one first);
- :mod:`reunite.core.api`: the one style of the REST API (base view, pagination, error
  format, the audited refusals);
- :mod:`reunite.core.forms`: showing an action's ``ValidationError`` on a form.

Not an app (no models) and not an engine (it is Django code): the layer just above
``accounts`` and ``audit`` and below every other app.
"""
