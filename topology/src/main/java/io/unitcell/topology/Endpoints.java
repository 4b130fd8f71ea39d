package io.unitcell.topology;

/** Endpoint syntax: {@code host:port} or {@code [ipv6]:port}. */
final class Endpoints {
  private Endpoints() {}

  /** Why {@code endpoint} is not a valid endpoint, or null when it is. */
  static String problemWith(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      return "is empty";
    }
    for (int i = 0; i < endpoint.length(); i++) {
      if (Character.isWhitespace(endpoint.charAt(i))
          || Character.isISOControl(endpoint.charAt(i))) {
        return "contains whitespace";
      }
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1) {
      return "must be host:port";
    }
    String host = endpoint.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      return "must put an IPv6 address in brackets, as [::1]:8080";
    }
    int port;
    try {
      port = Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      return "has a port that is not a number";
    }
    if (port < 1 || port > 65535) {
      return "has a port outside 1-65535";
    }
    return null;
  }
}
