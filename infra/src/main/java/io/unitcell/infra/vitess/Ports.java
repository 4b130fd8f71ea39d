package io.unitcell.infra.vitess;

import io.unitcell.infra.process.ManagedProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loopback ports for one cluster, none handed out twice. A cluster resumed from its directory gets
 * the ports it had, in the order it asked for them (the tablets' replication sources and etcd's
 * peer address are stored with the data), and fails clearly when another process holds one.
 */
final class Ports {

  private final Set<Integer> used = new HashSet<>();
  private final List<Integer> handedOut = new ArrayList<>();
  private final List<Integer> replay;

  /** Free ports. */
  Ports() {
    this.replay = List.of();
  }

  /** The ports of an earlier run, in order; more requests than it made get free ones. */
  Ports(List<Integer> replay) {
    this.replay = List.copyOf(replay);
  }

  synchronized int next() {
    int index = handedOut.size();
    int port;
    if (index < replay.size()) {
      port = replay.get(index);
      if (!free(port)) {
        throw new IllegalStateException(
            "port "
                + port
                + " that this cluster used before is now taken by another process; stop that"
                + " process, or delete the cluster's data to start afresh");
      }
      used.add(port);
    } else {
      do {
        port = ManagedProcess.freePort();
      } while (!used.add(port) || replay.contains(port));
    }
    handedOut.add(port);
    return port;
  }

  /** Every port handed out so far, in order. */
  synchronized List<Integer> handedOut() {
    return List.copyOf(handedOut);
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
