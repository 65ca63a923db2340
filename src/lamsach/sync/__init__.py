"""Synchronisation with the National Data Center: the batch contract, the sender, a test receiver."""

from lamsach.sync.batch_format import BATCHES_PATH, body_of, digest_header, sha256_hex
from lamsach.sync.receiver import Receiver, ReceiverOptions, make_server
from lamsach.sync.sender import PushResult, Sender
from lamsach.sync.status import STATES, StatusLine, sync_status

__all__ = ["BATCHES_PATH", "STATES", "PushResult", "Receiver", "ReceiverOptions", "Sender", "StatusLine",
           "body_of", "digest_header", "make_server", "sha256_hex", "sync_status"]
