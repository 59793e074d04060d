"""One client connection to an emulated Tuya device: frames in and out for protocol 3.3, 3.4 and 3.5.

3.3: 55AA frames with CRC32, AES-ECB with the local key, "3.3" + 12 zero bytes before encrypted CONTROL
and STATUS payloads. 3.4: the client negotiates a session key first (commands 3, 4, 5); frames carry an
HMAC-SHA256 and the whole payload, version header included, is AES-ECB encrypted. 3.5: the same
negotiation, then 6699 frames sealed with AES-GCM (the header as associated data). Every frame a device
sends carries a 4-byte return code (tinytuya and tuyapi both strip it), in the clear before 3.5 and inside
the GCM plaintext in 3.5. Built on tinytuya's own packing and ciphers.
"""

from __future__ import annotations

import hmac
import os
import struct
from dataclasses import dataclass
from enum import Enum
from hashlib import sha256

from tinytuya.core import command_types as CT
from tinytuya.core import header as H
from tinytuya.core.crypto_helper import AESCipher
from tinytuya.core.message_helper import TuyaMessage, pack_message, unpack_message

VERSION_HEADER_BYTES = 15  # "3.x" + 12 zero bytes
NONCE_BYTES = 16


class TuyaVersion(Enum):
    """The local protocol versions the emulator speaks."""

    V33 = "3.3"
    V34 = "3.4"
    V35 = "3.5"

    @classmethod
    def of(cls, version: float | str) -> TuyaVersion:
        return cls(f"{float(version):.1f}")

    @property
    def header(self) -> bytes:
        return self.value.encode() + H.PROTOCOL_3x_HEADER

    @property
    def negotiates(self) -> bool:
        return self is not TuyaVersion.V33


@dataclass(frozen=True, slots=True)
class Request:
    """A decoded client frame: command, sequence number, plaintext without version header."""

    cmd: int
    seqno: int
    body: bytes


class FrameError(ValueError):
    """A frame that fails its CRC, HMAC or GCM tag, or that cannot be decrypted."""


class TuyaSession:
    """Keys and framing of one connection; `answer_negotiation` switches it to the session key."""

    def __init__(self, version: TuyaVersion, local_key: bytes) -> None:
        self.version, self.local_key = version, local_key
        self.key = local_key  # the session key once negotiated
        self._pending: bytes | None = None  # the session key computed at step 2, used after step 3
        self._device_nonce = b""

    def decode(self, frame: bytes) -> Request:
        """The plaintext of a client frame (integrity checked)."""
        hmac_key = self.key if self.version.negotiates else None
        msg = unpack_message(frame, hmac_key=hmac_key, no_retcode=True)
        if not msg.crc_good:
            raise FrameError(f"frame {msg.seqno} fails its integrity check")
        body = msg.payload
        if self.version is TuyaVersion.V34 and body:
            body = self._ecb().decrypt(body, use_base64=False, decode_text=False)
        if body.startswith(self.version.value.encode()):
            body = body[VERSION_HEADER_BYTES:]
        if self.version is TuyaVersion.V33 and body:
            body = self._ecb().decrypt(body, use_base64=False, decode_text=False)
        return Request(msg.cmd, msg.seqno, body)

    def encode(self, seqno: int, cmd: int, body: bytes = b"", *, with_header: bool = False) -> bytes:
        """A device frame: return code 0, then `body` (optionally behind the version header)."""
        plain = (self.version.header if with_header else b"") + body
        if self.version is TuyaVersion.V35:
            msg = TuyaMessage(seqno, cmd, 0, plain, 0, True, H.PREFIX_6699_VALUE, None)
            return bytes(pack_message(msg, hmac_key=self.key))
        retcode = struct.pack(H.MESSAGE_RETCODE_FMT, 0)
        if self.version is TuyaVersion.V33:
            encrypted = self._ecb().encrypt(body, use_base64=False) if body else b""
            payload = retcode + (self.version.header if with_header else b"") + encrypted
            msg = TuyaMessage(seqno, cmd, 0, payload, 0, True, H.PREFIX_55AA_VALUE, None)
            return bytes(pack_message(msg))
        payload = retcode + (self._ecb().encrypt(plain, use_base64=False) if plain else b"")
        msg = TuyaMessage(seqno, cmd, 0, payload, 0, True, H.PREFIX_55AA_VALUE, None)
        return bytes(pack_message(msg, hmac_key=self.key))

    def answer_negotiation(self, request: Request) -> bytes | None:
        """Step 1 -> the step-2 frame (device nonce + HMAC of the client's); step 3 -> session key, None."""
        if request.cmd == CT.SESS_KEY_NEG_START and len(request.body) >= NONCE_BYTES:
            client_nonce, device_nonce = request.body[:NONCE_BYTES], os.urandom(NONCE_BYTES)
            proof = hmac.new(self.local_key, client_nonce, sha256).digest()
            self._pending = self._session_key(client_nonce, device_nonce)
            self._device_nonce = device_nonce
            return self.encode(request.seqno, CT.SESS_KEY_NEG_RESP, device_nonce + proof)
        if request.cmd == CT.SESS_KEY_NEG_FINISH and self._pending is not None:
            expected = hmac.new(self.local_key, self._device_nonce, sha256).digest()
            if not hmac.compare_digest(request.body[: len(expected)], expected):
                raise FrameError("session key negotiation: the client's HMAC is wrong")
            self.key, self._pending = self._pending, None
            return None
        raise FrameError(f"unexpected negotiation frame (command {request.cmd})")

    def _session_key(self, client_nonce: bytes, device_nonce: bytes) -> bytes:
        mixed = bytes(a ^ b for a, b in zip(client_nonce, device_nonce, strict=True))
        cipher = AESCipher(self.local_key)
        if self.version is TuyaVersion.V34:
            return bytes(cipher.encrypt(mixed, use_base64=False, pad=False))
        sealed = cipher.encrypt(mixed, use_base64=False, pad=False, iv=client_nonce[:12])
        return bytes(sealed[12:28])

    def _ecb(self) -> AESCipher:
        return AESCipher(self.key)
