package io.unitcell.router.limit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Users and client addresses refused with 403. Addresses are exact IPs or CIDR ranges, IPv4 or
 * IPv6; exact entries are one hash lookup, ranges a scan (keep them few).
 */
public final class BlockList {

  private final Set<String> users = ConcurrentHashMap.newKeySet();
  private final Set<String> exactIps = ConcurrentHashMap.newKeySet();
  private final List<Cidr> ranges = new CopyOnWriteArrayList<>();

  public boolean isUserBlocked(String user) {
    return !users.isEmpty() && users.contains(user);
  }

  /** Whether a client address (as Vert.x reports it: a literal IP) is blocked. */
  public boolean isIpBlocked(String ip) {
    if (exactIps.isEmpty() && ranges.isEmpty()) {
      return false;
    }
    if (exactIps.contains(ip)) {
      return true;
    }
    if (ranges.isEmpty()) {
      return false;
    }
    byte[] address = literal(ip);
    for (Cidr range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  public void blockUser(String user) {
    users.add(user);
  }

  public boolean unblockUser(String user) {
    return users.remove(user);
  }

  /**
   * Blocks an address or a CIDR range.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public void blockIp(String ipOrCidr) {
    if (ipOrCidr.indexOf('/') >= 0) {
      Cidr range = Cidr.parse(ipOrCidr);
      if (!ranges.contains(range)) {
        ranges.add(range);
      }
    } else {
      exactIps.add(canonical(ipOrCidr));
    }
  }

  public boolean unblockIp(String ipOrCidr) {
    if (ipOrCidr.indexOf('/') >= 0) {
      return ranges.remove(Cidr.parse(ipOrCidr));
    }
    return exactIps.remove(canonical(ipOrCidr));
  }

  public List<String> users() {
    return List.copyOf(new TreeSet<>(users));
  }

  public List<String> ips() {
    List<String> all = new ArrayList<>(new TreeSet<>(exactIps));
    ranges.forEach(range -> all.add(range.text()));
    return all;
  }

  private static String canonical(String ip) {
    return InetAddressText.of(literal(ip));
  }

  static byte[] literal(String ip) {
    if (ip == null || ip.isEmpty() || !(ip.indexOf(':') >= 0 || Character.isDigit(ip.charAt(0)))) {
      throw new IllegalArgumentException("'" + ip + "' is not an IP address");
    }
    try {
      // a literal is parsed without any name lookup
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + ip + "' is not an IP address");
    }
  }

  /** An address range: {@code prefix} leading bits of {@code network}. */
  record Cidr(byte[] network, int prefix, String text) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      byte[] network = literal(text.substring(0, slash));
      int prefix;
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has no prefix length after /");
      }
      if (prefix < 0 || prefix > network.length * 8) {
        throw new IllegalArgumentException(
            "'" + text + "': prefix must be 0-" + network.length * 8);
      }
      return new Cidr(network, prefix, InetAddressText.of(network) + "/" + prefix);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Cidr other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
      return text.hashCode();
    }
  }

  /** The textual form Vert.x reports for a remote address. */
  static final class InetAddressText {
    private InetAddressText() {}

    static String of(byte[] address) {
      try {
        return InetAddress.getByAddress(address).getHostAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }
}
