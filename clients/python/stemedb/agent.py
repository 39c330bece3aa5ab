"""Agents: Ed25519 key pairs, and the key files the ``stemedb`` CLI reads and writes.

An agent is its key. The public key (64 hex characters) is the ``agent_id`` the server knows
it by; the 32-byte seed (RFC 8032's private key) is the secret. The key file is the CLI's
(docs/cli.md, "Key files"):

    {"format":"stemedb-ed25519-seed-v1","agent_id":"<64 hex>","seed":"<64 hex>"}

one line of JSON and a newline, mode 0600, so a key made by ``stemedb keygen`` signs here and a
key saved here signs with ``stemedb --key``.
"""

import json
import os
import stat
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import KeyFileError, ProtocolError
from .protocol import hex_bytes, signing_message

KEY_FILE_FORMAT = "stemedb-ed25519-seed-v1"
KEY_FILE_BYTES_MAX = 4096


class Agent:
    """An agent's Ed25519 key pair, derived from its 32-byte seed.

        alice = Agent.generate()
        alice.save("alice.key")             # the CLI's format, mode 0600
        same = Agent.load("alice.key")      # also reads files made by `stemedb keygen`
        same.agent_id == alice.agent_id     # True
    """

    __slots__ = ("_key", "_seed", "public_key")

    def __init__(self, seed):
        seed = hex_bytes(seed, 32, "seed") if isinstance(seed, str) else bytes(seed)
        if len(seed) != 32:
            raise ProtocolError("an Ed25519 seed is 32 bytes")
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes(
            encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls):
        """A new agent from 32 random bytes (os.urandom)."""
        return cls(os.urandom(32))

    @classmethod
    def from_seed(cls, seed):
        """The agent of a seed given as 32 bytes or 64 hex characters."""
        return cls(seed)

    @classmethod
    def load(cls, path, check_permissions=True):
        """The agent of a key file (``stemedb keygen``'s or ``Agent.save``'s).

        Refused with KeyFileError, as the CLI refuses it: a file the group or others may read or
        write (unless check_permissions is False), over 4096 bytes, not JSON, another format, a
        bad seed, or an agent_id that is not the seed's public key."""
        path = os.fspath(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as e:
            raise KeyFileError(f"key file {path}: cannot open: {e.strerror} (errno {e.errno})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise KeyFileError(f"key file {path}: not a regular file")
            if check_permissions and st.st_mode & 0o077:
                mode = stat.S_IMODE(st.st_mode)
                raise KeyFileError(
                    f"key file {path}: mode {mode:04o} lets others read the private key; "
                    f"it must be 0600 (chmod 600 {path})"
                )
            if st.st_size > KEY_FILE_BYTES_MAX:
                raise KeyFileError(
                    f"key file {path}: {st.st_size} bytes exceeds the limit of {KEY_FILE_BYTES_MAX}"
                )
            with os.fdopen(fd, "rb", closefd=False) as f:
                text = f.read(KEY_FILE_BYTES_MAX + 1)
        finally:
            os.close(fd)
        return cls.from_key_file_text(text, path)

    @classmethod
    def from_key_file_text(cls, text, path="<key file>"):
        """The agent of a key file's contents (str or bytes)."""
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise KeyFileError(f"key file {path}: not a JSON object (expected a file written by stemedb keygen)")
        if body.get("format") != KEY_FILE_FORMAT:
            raise KeyFileError(f'key file {path}: format: expected "{KEY_FILE_FORMAT}"')
        fields = {}
        for member in ("seed", "agent_id"):
            value = body.get(member)
            if not isinstance(value, str):
                raise KeyFileError(f"key file {path}: {member}: missing, or not a string")
            try:
                fields[member] = hex_bytes(value, 32, member)
            except ProtocolError as e:
                raise KeyFileError(f"key file {path}: {e}") from None
        agent = cls(fields["seed"])
        if agent.public_key != fields["agent_id"]:
            raise KeyFileError(
                f"key file {path}: agent_id is not the public key of the seed (a damaged file?)"
            )
        return agent

    def key_file_text(self):
        """The key file's contents, exactly as ``stemedb keygen`` writes them."""
        body = {"format": KEY_FILE_FORMAT, "agent_id": self.agent_id, "seed": self._seed.hex()}
        return json.dumps(body, separators=(",", ":")) + "\n"

    def save(self, path, force=False):
        """Writes the key file as the CLI does: mode 0600, atomically (a temporary file beside it,
        fsynced, then linked into place). An existing file is refused (KeyFileError) unless
        force is True, which replaces it."""
        path = os.fspath(path)
        directory = os.path.dirname(path) or "."
        try:
            fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp-", dir=directory)
        except OSError as e:
            raise KeyFileError(f"key file {path}: cannot create a file beside it: {e.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as f:  # mkstemp makes it 0600 whatever the umask
                f.write(self.key_file_text().encode("ascii"))
                f.flush()
                os.fsync(f.fileno())
            if force:
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    raise KeyFileError(
                        f"key file {path}: exists; force=True replaces it (the agent it holds is then lost)"
                    ) from None
                except OSError as e:
                    raise KeyFileError(f"key file {path}: cannot create: {e.strerror}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return path

    @property
    def agent_id(self):
        """The public key as 64 lowercase hex characters: the id the server knows the agent by."""
        return self.public_key.hex()

    @property
    def seed(self):
        """The 32-byte secret seed."""
        return self._seed

    def sign(self, record_id):
        """The 64-byte Ed25519 signature of a record id (32 bytes or 64 hex characters)."""
        return self._key.sign(signing_message(record_id))

    # The name the test client used.
    sign_id = sign

    def __eq__(self, other):
        return isinstance(other, Agent) and other.public_key == self.public_key

    def __hash__(self):
        return hash(self.public_key)

    def __repr__(self):
        return f"Agent({self.agent_id[:12]}…)"


def verify_signature(agent_id, record_id, signature):
    """True when `signature` (64 bytes or 128 hex) is agent_id's signature of the record id."""
    try:
        key = Ed25519PublicKey.from_public_bytes(hex_bytes(agent_id, 32, "agent_id"))
        key.verify(hex_bytes(signature, 64, "signature"), signing_message(record_id))
        return True
    except (InvalidSignature, ProtocolError, ValueError):
        return False
