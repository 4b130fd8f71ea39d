#!/usr/bin/env python3
"""Where the router's event loop spends its Java time, from a JFR recording (bench/router.sh --profile).

  bench/router/jfr-breakdown.py router-r1.jfr [--from HH:MM:SS] [--to HH:MM:SS] [--thread router-loop]

Classifies each jdk.ExecutionSample of the event-loop thread(s) by the innermost frame that names a
known part of the router (first rule that matches, walking from the leaf towards the root), and
prints the share of each part; then the GC pauses and safepoints of the same window. --from/--to
(UTC, as bench/router.sh's log prints them) keep the measured run apart from the warm-up.
"""
import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

# (label, regex on "package.Class.method" of a frame, optional regex that another frame must match)
RULES = [
    ("reading the cells' answers (bytes: CellResponseDecoder)", r"\.(CellResponseDecoder|HttpBytesDecoder)\.", None),
    ("reading clients' requests (bytes: ClientRequestDecoder)", r"\.ClientRequestDecoder\.", None),
    ("adding the router's headers to the cell's head (bytes)", r"\.CellResponse\.", None),
    ("decoding the cells' answers (Netty HttpClientCodec)", r"\.HttpObjectDecoder\.", r"HttpClientCodec|HttpResponseDecoder"),
    ("decoding clients' requests (Netty HttpRequestDecoder)", r"\.HttpObjectDecoder\.", None),
    ("encoding the answer to the client (Netty)", r"\.HttpObjectEncoder\.", r"HttpResponseEncoder|HttpServerCodec|ClientConnection\.finish"),
    ("encoding the request to the cell (Netty)", r"\.HttpObjectEncoder\.", None),
    ("the router's own answers", r"\.Responses\.", None),
    ("token buckets (RateLimits: the user's and the cell's)", r"\.(RateLimits|TokenBucket)\.", None),
    ("rewriting request headers", r"\.Exchange\.upstreamRequest", None),
    ("latency histogram and counters", r"(micrometer|\.RouterMetrics|prometheus)", None),
    ("identity (header or JWT)", r"\.(Identity|JwtVerifier)\.", None),
    ("block lists", r"\.BlockList\.", None),
    ("slot hash, table and endpoint choice", r"\.(SlotHash|Upstreams|CellTarget|Endpoint)\.", None),
    ("reference-count checks on buffer access (io.netty.buffer.checkAccessible)", r"\.AbstractByteBuf\.ensureAccessible$", None),
    ("socket writes, Java side", r"\.(doWriteBytes|doWriteMultiple|writeBytesMultiple|doWrite|writev|sendBytes)$|FileDescriptor\.write", None),
    ("socket reads, Java side", r"\.(doReadBytes|recvAddress|read)$|FileDescriptor\.read|RecvByteBufAllocator", None),
    ("the exchange's own logic, and the Netty calls it makes", r"\.(Exchange|ClientConnection|UpstreamConnection|EndpointPool|WholeMessages|Loop)\.", None),
]


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    for frame in stack.get("frames", []):
        method = frame["method"]
        yield method["type"]["name"].replace("/", ".") + "." + method["name"]


def classify(names):
    joined = "\n".join(names)
    for name in names:  # leaf first
        for label, pattern, context in RULES:
            if re.search(pattern, name) and (context is None or re.search(context, joined)):
                return label
    return "rest: Netty's event loop, pipeline, buffer pool and reference counting"


def when(text, day):
    if text is None:
        return None
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return datetime.fromisoformat(day + "T" + text + "+00:00")


def millis(duration):
    """An ISO-8601 duration as JFR's JSON prints it (PT0.0123S, PT1M2S) in milliseconds."""
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", duration)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return 1000 * (3600 * hours + 60 * minutes + seconds)


def events(jfr, names):
    command = ["jfr", "print", "--json", "--stack-depth", "64", "--events", names, jfr]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("jfr")
    parser.add_argument("--from", dest="start")
    parser.add_argument("--to", dest="end")
    parser.add_argument("--thread", default="router-loop")
    args = parser.parse_args()

    samples = events(args.jfr, "jdk.ExecutionSample")
    if not samples:
        sys.exit("no execution samples in " + args.jfr)
    day = samples[0]["values"]["startTime"][:10]
    start, end = when(args.start, day), when(args.end, day)

    def inside(event):
        t = datetime.fromisoformat(event["values"]["startTime"].replace("Z", "+00:00"))
        return (start is None or t >= start) and (end is None or t <= end)

    counts = Counter()
    for event in samples:
        thread = (event["values"].get("sampledThread") or {}).get("javaName") or ""
        if thread.startswith(args.thread) and inside(event):
            counts[classify(list(frames(event)))] += 1
    total = sum(counts.values())
    print(f"{total} Java samples of {args.thread}* threads")
    for label, n in counts.most_common():
        print(f"{100 * n / total:5.1f} %  {label}")

    pauses = [e for e in events(args.jfr, "jdk.GarbageCollection") if inside(e)]
    durations = sorted(millis(e["values"]["sumOfPauses"]) for e in pauses)
    if pauses:
        print(f"GC: {len(pauses)} collections, pauses ms: median {durations[len(durations) // 2]:.2f}, max {durations[-1]:.2f}, total {sum(durations):.1f}")
    safepoints = [e for e in events(args.jfr, "jdk.SafepointBegin") if inside(e)]
    print(f"safepoints: {len(safepoints)}")


if __name__ == "__main__":
    main()
