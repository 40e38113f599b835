"""The lab's test CA and the certificates it signs (servers and the cloud app).

Kept apart from lab.py so the simulator's own tests and the lab share one way of
making certificates. Everything is written with 0600 keys under the given folder.
"""
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAYS = 825


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(path, data, private=False):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=_DAYS)))


def make_ca(folder, name="hybrid.identity lab CA"):
    """Create ca.pem / ca.key in folder unless they exist; return (cert, key)."""
    cert_path, key_path = os.path.join(folder, "ca.pem"), os.path.join(folder, "ca.key")
    if os.path.exists(cert_path) and os.path.exists(key_path):
        with open(cert_path, "rb") as c, open(key_path, "rb") as k:
            return x509.load_pem_x509_certificate(c.read()), serialization.load_pem_private_key(k.read(), None)
    os.makedirs(folder, exist_ok=True)
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (_builder(subject, subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write(key_path, _pem_key(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def make_server_cert(folder, basename, ca, dns_names, ip_addresses):
    """Sign a TLS server certificate for the given names; writes BASENAME.pem and BASENAME.key."""
    ca_cert, ca_key = ca
    key = _key()
    sans = [x509.DNSName(n) for n in dns_names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    cert = (_builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])]), ca_cert.subject,
                     key.public_key())
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write(os.path.join(folder, basename + ".key"), _pem_key(key), private=True)
    _write(os.path.join(folder, basename + ".pem"), cert.public_bytes(serialization.Encoding.PEM))


def make_client_cert(folder, basename, common_name):
    """A self-signed certificate for an app registration (client certificate credential).

    BASENAME.pem holds key and certificate (what AZURE_CLIENT_CERTIFICATE_PATH expects);
    BASENAME.crt holds the certificate alone (what the tenant registers).
    """
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = _builder(subject, subject, key.public_key()).sign(key, hashes.SHA256())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    _write(os.path.join(folder, basename + ".pem"), _pem_key(key) + cert_pem, private=True)
    _write(os.path.join(folder, basename + ".crt"), cert_pem)
