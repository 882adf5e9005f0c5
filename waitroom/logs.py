"""What the server's own log may say. uvicorn logs every websocket handshake
at INFO (`127.0.0.1:50312 - "WebSocket /ws/w/sunrise/" [accepted]`): the
caller's address, their clinic and the time they opened their page — a line
per patient visit. Django's LOGGING applies these in every server process,
however it was started (make run, systemd, uvicorn by hand)."""

import logging

# uvicorn's format strings for a handshake ([accepted], 403, or another status)
# and the websockets library's open/close lines, which uvicorn routes alike.
SOCKET_LINES = ('%s - "WebSocket %s"',)
SOCKET_MESSAGES = {"connection open", "connection closed"}


def is_socket_line(message):
    return isinstance(message, str) and (message.startswith(SOCKET_LINES) or message in SOCKET_MESSAGES)


class NoSocketLines(logging.Filter):
    def filter(self, record):
        return not is_socket_line(record.msg)
