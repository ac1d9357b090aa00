"""Typed errors of the NLU layer; only the CLI turns them into messages and exit codes."""


class NluError(Exception):
    """Base class of every NLU-layer error."""


class PythonNotFoundError(NluError):
    """No Python 3.10 interpreter exists for the Rasa venv."""


class RasaInstallError(NluError):
    """Installing Rasa into its venv failed."""


class TrainingError(NluError):
    """Training the NLU model failed."""


class ServiceStartError(NluError):
    """The Rasa HTTP service did not become healthy."""


class NluUnavailableError(NluError):
    """The NLU service is unreachable, too slow or answered with an error."""


class DatasetError(NluError):
    """A training or evaluation file is malformed; the message names the file and line."""
