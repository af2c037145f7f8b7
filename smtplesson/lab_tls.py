"""TLS for the lab: one self-signed certificate per process, made at run time, and its contexts.

The client context trusts exactly that certificate with hostname checks on, so the lab's TLS is
real TLS: STARTTLS (as on port 587) and implicit TLS (as on port 465) both use it.
"""

from __future__ import annotations

import atexit
import ipaddress
import shutil
import ssl
import tempfile
from functools import lru_cache
from pathlib import Path

#: The name in the certificate and in the lab's greeting (RFC 2606's reserved example domain).
SERVER_NAME = "smtp.lab.example"


@lru_cache(maxsize=None)
def _certificate() -> tuple[str, str]:
    """Make a self-signed certificate for smtp.lab.example and 127.0.0.1; return (cert, key) paths."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(SERVER_NAME),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="smtplesson-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key_path.chmod(0o600)
    return str(cert_path), str(key_path)


@lru_cache(maxsize=None)
def server_tls() -> ssl.SSLContext:
    """The server side of the lab's TLS: its certificate and key, made once per process."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*_certificate())
    return context


@lru_cache(maxsize=None)
def client_tls() -> ssl.SSLContext:
    """A client context that trusts exactly the lab's certificate, with hostname checks on.

    Made once per process, like the certificate: a context can serve any number of connections."""
    return ssl.create_default_context(cafile=_certificate()[0])
