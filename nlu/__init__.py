"""The Rasa NLU project, its service management, the HTTP client and evaluation."""
