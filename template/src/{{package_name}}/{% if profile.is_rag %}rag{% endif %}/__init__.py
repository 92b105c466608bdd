"""Retrieval-augmented answering: documents, chunks, lexical and dense retrieval, the index."""
