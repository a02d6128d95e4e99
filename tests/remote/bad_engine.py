"""A misbehaving OpenAI-compatible engine, for the remote backend's error tests: it lists one
model on /v1/models like a real engine, then answers completions in one bad way.

    bad_engine.py --mode MODE

Prints `port N` once listening on a free loopback port, then serves until killed. Modes:
  stall        one good event (the text FIRST-PIECE), then silence with the connection open
  stall-first  the response headers, then silence
  half         one good event, then half of the next one, then the connection closes
  no-finish    one good event, then the connection closes (no finish_reason, no [DONE])
  bad-json     an event whose data is not JSON
  garbage      a 200 answer of HTML instead of an event stream
  status-400   HTTP 400 with an OpenAI-style error body
  status-404   HTTP 404 for an unknown model, as vLLM answers it
  status-503   HTTP 503 with an error body
  two-models   /v1/models lists two models (completions are then good)
  auth         every request needs `Authorization: Bearer $BAD_ENGINE_KEY` (401 otherwise);
               completions are then good
  good         a well-formed short answer (FIRST-PIECE, then " SECOND", finish_reason stop)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "bad-model"


def event(text: str | None = None, finish: str | None = None, usage: dict | None = None) -> bytes:
    chunk = {"object": "chat.completion.chunk", "model": MODEL,
             "choices": [{"index": 0, "delta": {"content": text} if text is not None else {},
                          "text": text or "", "finish_reason": finish}]}
    if usage:
        chunk["usage"] = usage
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "good"

    def log_message(self, *args):  # quiet: the tests read the client's output
        pass

    def send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self) -> bool:
        if self.mode != "auth":
            return True
        if self.headers.get("Authorization") == "Bearer " + os.environ.get("BAD_ENGINE_KEY", "\0"):
            return True
        self.send_json(401, {"error": {"message": "bad engine: invalid API key", "type": "invalid_request_error"}})
        return False

    def do_GET(self):
        if not self.authorized():
            return
        if self.path.rstrip("/").endswith("/models"):
            ids = [MODEL, "other-model"] if self.mode == "two-models" else [MODEL]
            self.send_json(200, {"object": "list", "data": [{"id": i, "object": "model"} for i in ids]})
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def start_stream(self) -> None:
        # No length and no chunking: the body ends when the connection closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self.authorized():
            return
        self.close_connection = True
        mode = self.mode
        if mode == "status-400":
            return self.send_json(400, {"error": {"message": "bad engine: the prompt was rejected", "code": 400}})
        if mode == "status-404":
            return self.send_json(404, {"error": {"message": "The model `bad-model` does not exist.", "code": 404}})
        if mode == "status-503":
            return self.send_json(503, {"error": "bad engine: overloaded, try later"})
        if mode == "garbage":
            data = b"<html><body>502 Bad Gateway from a proxy</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.start_stream()
        if mode == "stall-first":
            time.sleep(3600)
            return
        if mode == "bad-json":
            self.wfile.write(b"data: {\"choices\": [ this is not JSON\n\n")
            return
        self.wfile.write(event("FIRST-PIECE"))
        self.wfile.flush()
        if mode == "stall":
            time.sleep(3600)
        elif mode == "half":
            self.wfile.write(event(" SECOND")[:25])
        elif mode == "no-finish":
            pass
        else:  # good, two-models, auth
            self.wfile.write(event(" SECOND"))
            self.wfile.write(event(None, "stop", {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}))
            self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def exit_with_launcher() -> None:
    """With --watch-stdin: exit when stdin closes, i.e. when the launcher has gone, even killed
    (a test runner's timeout), so no engine outlives its test."""
    def watch():
        sys.stdin.read()
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True)
    ap.add_argument("--watch-stdin", action="store_true")
    args = ap.parse_args()
    if args.watch_stdin:
        exit_with_launcher()
    Handler.mode = args.mode
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
