"""A newsroom's webhook endpoint on the loopback, run in a thread: it checks each signature and
counts the deliveries of every event id, which is what "delivered once per event id" is about."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from api.webhooks import SIGNATURE_HEADER, signature_valid


class WebhookReceiver:
    def __init__(self, *, secret: str) -> None:
        self.secret = secret
        self.event_ids: Counter[str] = Counter()
        self.bad_signatures = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = signature_valid(
                    secret=receiver.secret, header=self.headers[SIGNATURE_HEADER], body=body
                )
                with receiver._lock:
                    if valid:
                        receiver.event_ids[self.headers["X-Tracker-Event-Id"]] += 1
                    else:
                        receiver.bad_signatures += 1
                self.send_response(200 if valid else 400)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass  # the test reads the counts, not a log

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/tracker"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def received(self) -> dict[str, int]:
        """Event id → how many times it was delivered."""
        with self._lock:
            return dict(self.event_ids)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
