"""HTTPS server: TLS per connection in worker threads, HTTP/1.1 keep-alive, and the top-level
split between identity endpoints, Graph (/v1.0) and the admin API (/_admin)."""
import json
import logging
import socket
import ssl
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import admin, batch, router
from .errors import AadError, GraphError, graph_error_body

log = logging.getLogger("graph_simulator")


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, sim, ssl_context):
        self.sim = sim
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the connection's own thread, so one slow or broken
        # client cannot stall accept() for everyone else.
        request.settimeout(30)
        # Without TCP_NODELAY every keep-alive response waits ~40 ms for a delayed ACK.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.debug("TLS handshake with %s failed: %s", client_address, exc)
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log.debug("connection %s ended with an error", client_address, exc_info=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "graph-simulator"
    sys_version = ""
    timeout = 120

    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.address_string(), *args)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -----------------------------------------------------------------------------------
    def dispatch(self, method):
        sim = self.server.sim
        started = time.monotonic()
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not path.startswith("/_admin"):
            if sim.faults.should_drop(method, path):
                sim.counters.add("faults_dropped")
                log.info("%s %s -> dropped connection (fault)", method, path)
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            delay = sim.faults.delay_ms(method, path)
            if delay:
                sim.counters.add("faults_slowed")
                time.sleep(delay / 1000.0)
        try:
            if path.startswith("/_admin"):
                status, headers, body = self.admin(method, path, raw)
            elif path.startswith("/v1.0/") or path == "/v1.0":
                status, headers, body = self.graph(method, path, parts.query, raw)
            else:
                status, headers, body = self.identity(method, path, raw)
        except Exception:  # a bug must still give the client an answer, and the log a trace
            log.exception("unhandled error on %s %s", method, path)
            rid = str(uuid.uuid4())
            status, headers, body = 500, {"request-id": rid}, graph_error_body(
                "generalException", "General exception while processing.", rid, None)
        self.respond(status, headers, body)
        log.info("%s %s -> %d (%.1f ms)", method, self.path[:200], status, (time.monotonic() - started) * 1000)

    def respond(self, status, headers, body):
        if body is None:
            data = b""
        elif isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
        else:
            data = str(body).encode("utf-8")
        self.send_response(status)
        headers = dict(headers or {})
        if data and "Content-Type" not in headers:
            headers["Content-Type"] = "application/json; charset=utf-8"
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        # Headers and body leave in one write (one TLS record run, one TCP segment train).
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()

    def base_url(self):
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        return "https://" + host

    def _headers_lower(self):
        return {k.lower(): v for k, v in self.headers.items()}

    # admin --------------------------------------------------------------------------------
    def admin(self, method, path, raw):
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, {}, {"error": {"code": "BadAdminRequest", "message": "body is not JSON"}}
        status, payload = admin.handle(self.server.sim, method, path, body)
        return status, {}, payload

    # Graph --------------------------------------------------------------------------------
    def graph(self, method, path, query_string, raw):
        sim = self.server.sim
        headers = self._headers_lower()
        # Empty segments are ignored as Graph does: msgraph-sdk-python sends /v1.0//users/... .
        segments = [urllib.parse.unquote(s) for s in path[len("/v1.0/"):].split("/") if s]
        query = dict(urllib.parse.parse_qsl(query_string, keep_blank_values=True))
        base = self.base_url()
        rid = str(uuid.uuid4())
        crid = headers.get("client-request-id") or rid
        try:
            principal = sim.tokens.principal(headers.get("authorization"), base)
            body = router.parse_json_body(raw)
        except GraphError as exc:
            sim.counters.request("http", method, router.template_for(method, segments), exc.status)
            out = dict(exc.headers, **{"request-id": rid, "client-request-id": crid})
            return exc.status, out, graph_error_body(exc.code, exc.message, rid, crid, exc.details)
        if segments == ["$batch"]:
            if method != "POST":
                sim.counters.request("http", method, "/v1.0/$batch", 405)
                return 405, {"request-id": rid}, graph_error_body(
                    "Request_BadRequest", "Specified HTTP method is not allowed for the request target.", rid, crid)
            fault = sim.faults.burst_error(method, path)
            try:
                if fault is not None:
                    sim.counters.add("faults_error_burst")
                    raise fault
                result = batch.run(sim, body, principal, base)
            except GraphError as exc:
                sim.counters.request("http", method, "/v1.0/$batch", exc.status)
                return exc.status, dict(exc.headers, **{"request-id": rid, "client-request-id": crid}), \
                    graph_error_body(exc.code, exc.message, rid, crid, exc.details)
            sim.counters.request("http", method, "/v1.0/$batch", 200)
            return 200, {"request-id": rid, "client-request-id": crid, "Content-Type": router.JSON_TYPE}, result
        return router.execute(sim, "http", method, segments, query, headers, body, principal, base)

    # identity -------------------------------------------------------------------------------
    def identity(self, method, path, raw):
        sim = self.server.sim
        segments = path.strip("/").split("/")
        base = self.base_url()
        tenant_segment = segments[0] if segments else ""
        rest = "/".join(segments[1:])
        template = "/{tenant}/..."
        fault = sim.faults.burst_error(method, path)
        if fault is not None:
            sim.counters.add("faults_error_burst")
            sim.counters.request("http", method, "/{tenant}/...", fault.status)
            return fault.status, dict(fault.headers), {
                "error": "temporarily_unavailable", "error_description": "AADSTS90033: %s" % fault.message,
                "error_codes": [90033]}
        try:
            if method == "GET" and rest == "v2.0/.well-known/openid-configuration":
                template = "/{tenant}/v2.0/.well-known/openid-configuration"
                if not sim.tokens.known_tenant(tenant_segment):
                    raise AadError(400, "invalid_tenant", 90002, "Tenant '%s' not found." % tenant_segment)
                body = sim.tokens.openid_configuration(base, tenant_segment)
                status = 200
            elif method == "GET" and rest == "discovery/v2.0/keys":
                template, status, body = "/{tenant}/discovery/v2.0/keys", 200, sim.tokens.jwks()
            elif method == "POST" and rest in ("oauth2/v2.0/token", "oauth2/token"):
                template = "/{tenant}/oauth2/v2.0/token"
                form = dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
                body, status = sim.tokens.token(base, tenant_segment, form), 200
                sim.counters.add("tokens_issued")
            elif method == "GET" and tenant_segment == "common" and len(segments) == 3 and segments[1] == "userrealm":
                # MSAL's ROPC asks whether the user is federated; every simulated user is managed.
                template, status = "/common/userrealm/{user}", 200
                body = {"ver": "1.0", "account_type": "Managed", "domain_name": segments[2].split("@")[-1],
                        "cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline"}
            else:
                sim.counters.request("http", method, "(unknown)", 404)
                return 404, {}, {"error": "not_found", "error_description": "No such endpoint: %s %s" % (method, path)}
        except AadError as exc:
            sim.counters.add("token_errors")
            sim.counters.request("http", method, template, exc.status)
            return exc.status, {"Cache-Control": "no-store"}, exc.body()
        sim.counters.request("http", method, template, status)
        return status, {"Cache-Control": "no-store"}, body


def make_ssl_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
