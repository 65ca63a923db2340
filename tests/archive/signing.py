"""A PDF signed with a self-signed certificate (pyHanko), as an agency's signed decision arrives."""

from __future__ import annotations

import datetime
import io
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UBND xã Hậu Lộc")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), \
        asn1_keys.PrivateKeyInfo.load(der_key)


def _own_thread(work):
    """pyHanko calls asyncio.run(), which refuses to start inside a running event loop (Playwright's,
    when a browser test ran earlier in the same test process): run it in a thread with no loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def sign_pdf(content: bytes) -> bytes:
    return _own_thread(lambda: _sign_pdf(content))


def signature_intact(content: bytes) -> bool:
    """The embedded signature still covers the bytes it signed (its trust is not the question)."""
    return _own_thread(lambda: _signature_intact(content))


def _sign_pdf(content: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key = _certificate()
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content)),
                           signers.PdfSignatureMetadata(field_name="ChuKy"), signer=signer)
    return out.getvalue()


def _signature_intact(content: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    signatures = PdfFileReader(io.BytesIO(content)).embedded_signatures
    return len(signatures) == 1 and validate_pdf_signature(signatures[0]).intact
