"""Throwaway PKI and process helpers shared by the simulator's tests and its benchmark.

make_pki() writes a CA, a server certificate for 127.0.0.1/localhost signed by it, and a
self-signed app certificate (the kind registered on an Entra app for client assertions).
"""
import datetime
import ipaddress
import os
import socket
import ssl
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(key, path):
    with open(path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _write_cert(cert, path):
    with open(path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))


def make_pki(directory):
    """CA, a server certificate for 127.0.0.1/localhost, and a self-signed app certificate."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = _key()
    ca = (x509.CertificateBuilder().subject_name(_name("sim test CA")).issuer_name(_name("sim test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    srv_key = _key()
    srv = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
           .public_key(srv_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
           # Microsoft's host names too: a client that cannot be pointed elsewhere (azure_rm_aduser) reaches
           # this throwaway CA's simulator through a CONNECT proxy that tunnels those names to it.
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                       x509.DNSName("graph.microsoft.com"),
                                                       x509.DNSName("login.microsoftonline.com")]),
                          critical=False)
           .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))
    app_key = _key()
    app = (x509.CertificateBuilder().subject_name(_name("sim-app")).issuer_name(_name("sim-app"))
           .public_key(app_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
           .sign(app_key, hashes.SHA256()))
    paths = {name: os.path.join(directory, name + ".pem") for name in ("ca", "server", "server-key", "app", "app-key")}
    _write_cert(ca, paths["ca"])
    _write_cert(srv, paths["server"])
    _write_key(srv_key, paths["server-key"])
    _write_cert(app, paths["app"])
    _write_key(app_key, paths["app-key"])
    paths["app_thumbprint"] = app.fingerprint(hashes.SHA1()).hex()  # nosec - x5t is SHA-1 by definition
    return paths


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_tls(port, ca, timeout=20.0, proc=None):
    context = ssl.create_default_context(cafile=ca)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("simulator exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("simulator did not accept TLS on port %d" % port)
