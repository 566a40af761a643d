"""The stores several `ttc serve` nodes share: records in PostgreSQL with a change feed, vectors in a Chroma server,
and the replica that keeps a node's local catalog (the lexical index and the search snapshot's source) following
them."""
