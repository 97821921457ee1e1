"""The `folio` command."""
