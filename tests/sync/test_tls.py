"""The sender's credentials are settings: over TLS with a client certificate the receiver asks for,
delivery works; without the certificate the receiver refuses the connection and nothing is kept."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import urllib.request

import pytest
from test_push import queue

from lamsach.backends.store import SqlAlchemyStore
from lamsach.domain import ErrorCode, LamsachError
from lamsach.settings import Settings
from lamsach.sync import Sender
from sync_receiver import ReceiverProcess


def openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def certificates(folder) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Test CA", cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=folder)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", *(["-extfile", "san.ext"] if name == "server" else []),
                cwd=folder)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
def test_a_client_certificate_opens_the_receiver_and_its_absence_keeps_it_shut(tmp_path):
    certificates(tmp_path)
    receiver = ReceiverProcess(tmp_path / "received", args=(
        "--tls-cert", str(tmp_path / "server.pem"), "--tls-key", str(tmp_path / "server.key"),
        "--client-ca", str(tmp_path / "ca.pem"))).start(wait=False)
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        context.load_cert_chain(str(tmp_path / "client.pem"), str(tmp_path / "client.key"))
        for _ in range(300):
            try:
                urllib.request.urlopen(f"https://127.0.0.1:{receiver.port}/v1/health", context=context, timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        url = f"sqlite:///{tmp_path / 'store.db'}"
        store = SqlAlchemyStore.open(url)
        queue(store, 120)
        target = f"https://127.0.0.1:{receiver.port}"
        without = Settings(sync_ca_file=tmp_path / "ca.pem", sync_give_up_s=1, sync_retry_base_ms=50)
        with pytest.raises(LamsachError) as shut:
            Sender(store, target, without).push()
        assert shut.value.code == ErrorCode.SYNC_UNREACHABLE and receiver.lines() == []
        with_certificate = Settings(sync_ca_file=tmp_path / "ca.pem", sync_client_cert=tmp_path / "client.pem",
                                    sync_client_key=tmp_path / "client.key", sync_batch_size=50)
        pushed = Sender(store, target, with_certificate).push()
        assert pushed.versions == 120 and pushed.resent == 1 and len(receiver.lines()) == 120
    finally:
        receiver.stop()
