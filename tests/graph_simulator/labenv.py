"""The connection variables a running simulator gives a playbook, derived from its seed.

    PYTHONPATH=tests python -m graph_simulator.labenv --seed tests/lab/tenant.yml --port 8443 \\
        --ca .lab/pki/ca.pem [--app-cert .lab/pki/app.pem]

prints shell `export` lines (for .lab/lab.env). The lab app is the seed's first app with a
client secret. The lab script may also import env_for() and write the lines itself.
"""
import argparse
import os
import shlex
import sys

import yaml


def env_for(seed_path, port, ca_path, host="127.0.0.1", app_cert_path=None):
    with open(seed_path) as handle:
        seed = yaml.safe_load(handle)
    base = "https://%s:%d" % (host, port)
    app = next(a for a in seed.get("apps") or [] if a.get("client_secret"))
    cert = app_cert_path
    if cert is None and app.get("certificate_file"):
        cert = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(seed_path)), app["certificate_file"]))
    env = {
        "AZURE_TENANT_ID": str(seed.get("tenant_id") or seed["organization"]["id"]),
        "AZURE_CLIENT_ID": str(app["client_id"]),
        "AZURE_CLIENT_SECRET": str(app["client_secret"]),
        "AZURE_AUTHORITY_HOST": base,
        "HYBRID_IDENTITY_GRAPH_ENDPOINT": base,
        "HYBRID_IDENTITY_CA_PATH": os.path.abspath(ca_path),
        "LAB_SIMULATOR_ADMIN_URL": base + "/_admin",
    }
    if cert:
        env["AZURE_CLIENT_CERTIFICATE_PATH"] = cert
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--app-cert")
    args = parser.parse_args(argv)
    for key, value in env_for(args.seed, args.port, args.ca, args.host, args.app_cert).items():
        print("export %s=%s" % (key, shlex.quote(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
