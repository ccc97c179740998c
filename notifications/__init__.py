"""Informing affected citizens: persons import, encryption, letters, channels (arrives with its issue)."""
