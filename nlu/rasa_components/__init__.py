"""Custom Rasa graph components. They run inside the Rasa service (Python 3.10 venv), not in
the app; `nlu.training.rasa_environment` puts the project on the service's PYTHONPATH."""
