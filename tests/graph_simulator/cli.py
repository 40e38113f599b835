"""Command line: parse options, load the seed, serve HTTPS until SIGTERM/SIGINT."""
import argparse
import logging
import os
import signal
import sys
import threading

from .admin import ENDPOINTS

DESCRIPTION = """\
Microsoft Graph / Entra ID tenant simulator (test infrastructure for hybrid.identity).

One HTTPS port serves:
  identity   GET  /{tenant}/v2.0/.well-known/openid-configuration
             POST /{tenant}/oauth2/v2.0/token   (client_credentials with client_secret or a
                  certificate client_assertion; grant_type=password for users)
             GET  /{tenant}/discovery/v2.0/keys, GET /common/userrealm/{user}
  Graph      /v1.0/...  users, assignLicense, licenseDetails, memberOf, subscribedSkus, domains,
             organization, directoryRoles, directory/deletedItems, users/delta, $batch
  admin      /_admin/... (below)

MSAL: authority=https://HOST:PORT/{tenant_id}, instance_discovery=False; Graph endpoint =
https://HOST:PORT; scope <anything>/.default. The server is ready when the port accepts TLS.
"""


def _epilog():
    lines = ["admin API (JSON, no authentication; loopback only):"]
    for method, path, text in ENDPOINTS:
        lines.append("  %-5s %s" % (method, path))
        lines.append("        %s" % text)
    lines.append("")
    lines.append("seed file format and fidelity notes: docs/development/simulator.md")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graph_simulator", description=DESCRIPTION, epilog=_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="TCP port (default 8443; 0 = any free port)")
    parser.add_argument("--cert", required=True, help="server certificate chain, PEM")
    parser.add_argument("--key", required=True, help="server private key, PEM")
    parser.add_argument("--seed", required=True, help="tenant seed YAML (see docs/development/simulator.md)")
    parser.add_argument("--pidfile", help="write the process id here once listening; removed on exit")
    parser.add_argument("--log", help="log file (default: stderr)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="INFO logs one line per request (default INFO)")
    parser.add_argument("--throttle", choices=["real", "off"],
                        help="override the seed's settings.throttling (default: the seed's, else real)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(filename=args.log, level=getattr(logging, args.log_level),
                        format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("graph_simulator")
    # Imported here so --help works even where the server's dependencies are missing.
    from .server import SimServer, make_ssl_context
    from .simulator import Simulator

    sim = Simulator(seed_path=args.seed, throttle_override=args.throttle)
    server = SimServer((args.host, args.port), sim, make_ssl_context(args.cert, args.key))
    host, port = server.server_address[:2]
    log.info("graph simulator for tenant %s listening on https://%s:%d", sim.tenant.tenant_id, host, port)
    if args.pidfile:
        with open(args.pidfile, "w") as handle:
            handle.write("%d\n" % os.getpid())

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
        log.info("graph simulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
