"""Answering a question: the chain of steps from the question to the grounded answer, and the chat sessions."""
