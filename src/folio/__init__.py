"""Folio: a self-hosted document space that speaks the DocSpace Files API."""

__version__ = "0.1.0"
