"""The HMS wire envelope (docs/protocol.md) for Python clients: headers, msgpack/JSON bodies,
replies and errors. Only nats-py and msgpack: no HMS code."""

import json

import msgpack

MSGPACK = "application/msgpack"
JSON = "application/json"
PROTOCOL_VERSION = "1"
REPLY_TYPE = "reply"
ERROR_TYPE = "error"


class HmsWireError(Exception):
    """An error reply: `hms-type: error`, body `{name, message, code, data?}`."""

    def __init__(self, wire):
        super().__init__(wire.get("message", ""))
        self.wire = wire


def headers(msg_type, sender):
    """The headers every HMS message carries."""
    return {
        "hms-type": msg_type,
        "hms-from": sender,
        "hms-v": PROTOCOL_VERSION,
        "Content-Type": MSGPACK,
    }


def encode(value):
    """A msgpack body; no value is an empty body."""
    if value is None:
        return b""
    return msgpack.packb(value, use_bin_type=True)


def decode(msg):
    """The body of a received message, by its Content-Type (msgpack when absent)."""
    if not msg.data:
        return None
    content_type = (msg.headers or {}).get("Content-Type", MSGPACK)
    if content_type == JSON:
        return json.loads(msg.data)
    return msgpack.unpackb(msg.data, raw=False)


async def request(nc, subject, msg_type, body, sender, timeout=5.0):
    """Sends an HMS request; returns the reply body or raises HmsWireError for an error reply."""
    reply = await nc.request(subject, encode(body), timeout=timeout, headers=headers(msg_type, sender))
    value = decode(reply)
    if (reply.headers or {}).get("hms-type") == ERROR_TYPE:
        raise HmsWireError(value)
    return value


async def respond(nc, msg, value, sender):
    """Answers a request with a value (`hms-type: reply`)."""
    await nc.publish(msg.reply, encode(value), headers=headers(REPLY_TYPE, sender))


async def respond_error(nc, msg, wire, sender):
    """Answers a request with an error (`hms-type: error`); `wire` is {name, message, code, data?}."""
    await nc.publish(msg.reply, encode(wire), headers=headers(ERROR_TYPE, sender))
