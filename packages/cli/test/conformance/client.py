"""A non-JavaScript HMS client for the conformance test (docs/protocol.md), in three roles:

  client.py call    --server URL --swarm S --cell ID   call a counter cell; a dead letter; an unknown type
  client.py serve   --server URL --swarm S --cell ID --count N
                                                        answer as a cell that HMS cells call
  client.py publish --server URL --swarm S --cell ID --count N
                                                        publish N `tick` events

Prints its observations as JSON lines on stdout for the test to check.
"""

import argparse
import asyncio
import json
import sys

import nats
from nats.errors import NoRespondersError

from hms_wire import HmsWireError, decode, encode, headers, request, respond, respond_error

SENDER = "py-client"


def say(value):
    print(json.dumps(value), flush=True)


def hms_headers(msg):
    """The HMS headers of a received message."""
    h = msg.headers or {}
    return {k: h.get(k) for k in ("hms-type", "hms-from", "hms-v", "Content-Type")}


async def call(nc, swarm, cell):
    """Requests to a counter cell, a dead letter, an unknown cell type, and nobody."""
    inbox = f"hms.{swarm}.cell.{cell}"
    out = {}
    reply = await nc.request(inbox, encode({"by": 2}), timeout=5, headers=headers("increment", SENDER))
    out["increment"] = {"headers": hms_headers(reply), "body": decode(reply)}
    out["get"] = await request(nc, inbox, "get", None, SENDER)

    dead_letters = await nc.subscribe(f"hms.{swarm}.evt.dead-letter.{cell}")
    await nc.flush()
    reply = await nc.request(inbox, encode({}), timeout=5, headers=headers("fly", SENDER))
    out["unhandled"] = {"headers": hms_headers(reply), "body": decode(reply)}
    letter = await dead_letters.next_msg(timeout=5)
    out["deadLetter"] = {"subject": letter.subject, "headers": hms_headers(letter), "body": decode(letter)}

    try:
        await request(nc, f"hms.{swarm}.ctl.agent.create", "agent.create", {"type": "no-such-type"}, SENDER)
        out["unknownType"] = None
    except HmsWireError as err:
        out["unknownType"] = err.wire

    try:
        await request(nc, f"hms.{swarm}.cell.nobody-here", "get", None, SENDER, timeout=2)
        out["noResponders"] = False
    except NoRespondersError:
        out["noResponders"] = True
    say(out)


async def serve(nc, swarm, cell, count):
    """Answers `add` requests ({a, b} -> {sum}) on a cell inbox; any other type with an error."""
    done = asyncio.Event()
    served = 0

    async def handle(msg):
        nonlocal served
        msg_type = (msg.headers or {}).get("hms-type")
        body = decode(msg)
        say({"served": {"type": msg_type, "headers": hms_headers(msg), "body": body}})
        if msg_type == "add" and isinstance(body, dict):
            await respond(nc, msg, {"sum": body.get("a", 0) + body.get("b", 0)}, cell)
        else:
            wire = {
                "name": "ValidationError",
                "message": f"{cell} answers add, not {msg_type}",
                "code": "VALIDATION_ERROR",
                "data": {"field": "type"},
            }
            await respond_error(nc, msg, wire, cell)
        served += 1
        if served >= count:
            done.set()

    await nc.subscribe(f"hms.{swarm}.cell.{cell}", cb=handle)
    await nc.flush()
    say({"ready": True})
    await asyncio.wait_for(done.wait(), timeout=60)
    await nc.flush()
    say({"done": served})


async def publish(nc, swarm, cell, count):
    """Publishes `count` tick events as cell `cell`."""
    for n in range(count):
        await nc.publish(f"hms.{swarm}.evt.tick.{cell}", encode({"n": n}), headers=headers("tick", cell))
    await nc.flush()
    say({"published": count})


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["call", "serve", "publish"])
    parser.add_argument("--server", required=True)
    parser.add_argument("--swarm", required=True)
    parser.add_argument("--cell", required=True)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    nc = await nats.connect(args.server, name=f"hms-conformance-{args.role}")
    try:
        if args.role == "call":
            await call(nc, args.swarm, args.cell)
        elif args.role == "serve":
            await serve(nc, args.swarm, args.cell, args.count)
        else:
            await publish(nc, args.swarm, args.cell, args.count)
    finally:
        await nc.drain()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as err:  # one line for the test's failure message
        print(f"client.py: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
