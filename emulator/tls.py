"""Self-signed TLS certificate for the emulator.

The platform's S3 buckets have TLS-only bucket policies (aws:SecureTransport),
which moto enforces, so the emulator only speaks HTTPS. Clients trust the
certificate through AWS_CA_BUNDLE=<home>/ca.pem.
"""

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_FILE = "ca.pem"
KEY_FILE = "key.pem"
HOSTNAME = "localhost"
IP_ADDRESS = "127.0.0.1"
VALIDITY = datetime.timedelta(days=365)
# Regenerate a little before expiry so a running test session never sees it expire.
RENEW_BEFORE = datetime.timedelta(days=30)


def ensure_certificate(home: Path) -> tuple[Path, Path]:
    """Return (cert, key) paths in home, generating them if missing or expiring."""
    cert_path, key_path = home / CERT_FILE, home / KEY_FILE
    if not _is_usable(cert_path, key_path):
        home.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = generate_certificate()
        _write(key_path, key_pem, mode=0o600)
        _write(cert_path, cert_pem, mode=0o644)
    return cert_path, key_path


def generate_certificate() -> tuple[bytes, bytes]:
    """A self-signed certificate for localhost and 127.0.0.1, as PEM (cert, key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, HOSTNAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Platform AWS emulator"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    public_key = key.public_key()
    # The certificate is its own trust anchor, so it carries CA extensions
    # complete enough for strict verifiers (Python 3.13+ VERIFY_X509_STRICT).
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                key_cert_sign=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([
                x509.DNSName(HOSTNAME),
                x509.IPAddress(ipaddress.ip_address(IP_ADDRESS)),
            ]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _is_usable(cert_path: Path, key_path: Path) -> bool:
    """True if both files exist, match each other and the cert is not about to expire."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    now = datetime.datetime.now(datetime.timezone.utc)
    return cert.public_key() == key.public_key() and cert.not_valid_after_utc - now > RENEW_BEFORE


def _write(path: Path, data: bytes, mode: int) -> None:
    # Create with the final mode so the private key is never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), mode)
        f.write(data)
