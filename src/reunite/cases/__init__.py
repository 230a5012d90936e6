"""Django app reunite.cases: one child's path from registration to closing."""
