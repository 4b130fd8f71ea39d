package io.unitcell.router.proxy;

import io.netty.util.AsciiString;

/** Header names the router reads or writes, and the hop-by-hop rule (RFC 9110, 7.6.1). */
final class Headers {
  private Headers() {}

  static final AsciiString EPOCH = AsciiString.cached("X-Unitcell-Router-Epoch");
  static final AsciiString SECRET = AsciiString.cached("X-Unitcell-Router-Secret");
  static final AsciiString CELL_EPOCH = AsciiString.cached("X-Unitcell-Epoch");
  static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("Idempotency-Key");
  static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");

  /** Hop-by-hop headers: about one connection, never forwarded. */
  static boolean isHopByHop(CharSequence name) {
    switch (name.length()) {
      case 2:
        return AsciiString.contentEqualsIgnoreCase(name, "te");
      case 6:
        return AsciiString.contentEqualsIgnoreCase(name, "expect");
      case 7:
        return AsciiString.contentEqualsIgnoreCase(name, "trailer")
            || AsciiString.contentEqualsIgnoreCase(name, "upgrade");
      case 10:
        return AsciiString.contentEqualsIgnoreCase(name, "connection")
            || AsciiString.contentEqualsIgnoreCase(name, "keep-alive");
      case 16:
        return AsciiString.contentEqualsIgnoreCase(name, "proxy-connection");
      case 17:
        return AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding");
      case 18:
        return AsciiString.contentEqualsIgnoreCase(name, "proxy-authenticate");
      case 19:
        return AsciiString.contentEqualsIgnoreCase(name, "proxy-authorization");
      default:
        return false;
    }
  }
}
