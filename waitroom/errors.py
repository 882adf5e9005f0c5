class ActionError(Exception):
    """An action refused: `code` is for programs (pages translate it), `message`
    for people, `status` the HTTP answer a view gives (waitroom/http.py)."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
