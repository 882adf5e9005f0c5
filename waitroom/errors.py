class ActionError(Exception):
    """An action refused: `code` is for programs (pages translate it), `message`
    for people, `status` the HTTP answer a view gives (waitroom/http.py), `field`
    the form field it is about, where there is one (a form shows it there)."""

    def __init__(self, code, message, status=400, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.field = field
