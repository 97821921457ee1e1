"""Pure rules of Folio's document space: kinds, titles, entries. No I/O here."""
