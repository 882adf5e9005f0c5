class ActionError(Exception):
    """An action refused: `code` is for programs (pages translate it), `message` for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message
