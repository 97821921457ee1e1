"""The HTTP edge: DocSpace's paths, wire format, errors and credentials."""
