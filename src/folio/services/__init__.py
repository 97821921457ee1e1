"""The use cases of Folio. Every check of who may touch what lives here, once."""
