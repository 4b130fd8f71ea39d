package io.unitcell.router.proxy;

import io.vertx.core.buffer.Buffer;

/** Header rules of a proxy (RFC 9110, 7.6.1) and the router's own error bodies. */
final class Headers {
  private Headers() {}

  /** Hop-by-hop headers: about one connection, never forwarded. */
  static boolean isHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 7:
        return name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      case 18:
        return name.equalsIgnoreCase("proxy-authenticate");
      case 19:
        return name.equalsIgnoreCase("proxy-authorization");
      default:
        return false;
    }
  }

  static boolean isOneOf(String name, CharSequence... candidates) {
    for (CharSequence candidate : candidates) {
      if (candidate.length() == name.length() && candidate.toString().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code {"status":N,"error":"reason"}}, the shape the cells use too. */
  static Buffer errorJson(int status, String reason) {
    StringBuilder json = new StringBuilder(reason.length() + 32);
    json.append("{\"status\":").append(status).append(",\"error\":\"");
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return Buffer.buffer(json.append("\"}").toString());
  }
}
