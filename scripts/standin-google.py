#!/usr/bin/env python3
"""A local stand-in for the Google Business Messages API: answers 200 to every call and
prints it, so you can watch what DeskBridge sends. Usage: scripts/standin-google.py [PORT]"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            shown = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            shown = body.decode("utf-8", "replace")
        print(f"{self.command} {self.path}\n    {shown}", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_PATCH = _answer

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8089
    print(f"stand-in Google API on http://127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
