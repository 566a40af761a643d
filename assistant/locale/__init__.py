"""The 17 interface languages, country names, localized texts and the vocabulary of requests."""
