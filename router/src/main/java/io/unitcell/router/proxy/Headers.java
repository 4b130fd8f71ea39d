package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
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

  /** What the router does with a header of a cell's answer ({@link #kindOf}). */
  enum Kind {
    /** Forwarded as it is. */
    KEEP,
    /** Hop-by-hop, or the router's own epoch header: not forwarded. */
    DROP,
    /** Read for the framing; the router writes its own. */
    CONTENT_LENGTH,
    /** Read for the framing (hop-by-hop: not forwarded). */
    TRANSFER_ENCODING,
    /** Read for keep-alive (hop-by-hop: not forwarded). */
    CONNECTION,
    /** The cell's epoch: read on a 421, forwarded otherwise. */
    CELL_EPOCH
  }

  /**
   * What to do with a header of a cell's answer, named by {@code length} bytes of {@code buf} from
   * {@code start}: the same hop-by-hop rule as {@link #isHopByHop}, on bytes.
   */
  static Kind kindOf(ByteBuf buf, int start, int length) {
    switch (length) {
      case 2:
        return is(buf, start, "te") ? Kind.DROP : Kind.KEEP;
      case 6:
        return is(buf, start, "expect") ? Kind.DROP : Kind.KEEP;
      case 7:
        return is(buf, start, "trailer") || is(buf, start, "upgrade") ? Kind.DROP : Kind.KEEP;
      case 10:
        if (is(buf, start, "connection")) {
          return Kind.CONNECTION;
        }
        return is(buf, start, "keep-alive") ? Kind.DROP : Kind.KEEP;
      case 14:
        return is(buf, start, "content-length") ? Kind.CONTENT_LENGTH : Kind.KEEP;
      case 16:
        if (is(buf, start, "x-unitcell-epoch")) {
          return Kind.CELL_EPOCH;
        }
        return is(buf, start, "proxy-connection") ? Kind.DROP : Kind.KEEP;
      case 17:
        return is(buf, start, "transfer-encoding") ? Kind.TRANSFER_ENCODING : Kind.KEEP;
      case 18:
        return is(buf, start, "proxy-authenticate") ? Kind.DROP : Kind.KEEP;
      case 19:
        return is(buf, start, "proxy-authorization") ? Kind.DROP : Kind.KEEP;
      case 23:
        return is(buf, start, "x-unitcell-router-epoch") ? Kind.DROP : Kind.KEEP;
      default:
        return Kind.KEEP;
    }
  }

  /** Whether the bytes from {@code start} are {@code lowerCase}, ignoring ASCII case. */
  static boolean is(ByteBuf buf, int start, String lowerCase) {
    for (int i = 0; i < lowerCase.length(); i++) {
      int b = buf.getByte(start + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
