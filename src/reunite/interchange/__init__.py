"""Interchange file format (CSV/XLSX) for lists of children and enquiries; no Django import."""
