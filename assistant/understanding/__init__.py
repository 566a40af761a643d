"""Question understanding: what is sought, the topic without its framing, fields and countries."""
