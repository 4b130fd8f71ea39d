package io.unitcell.testbed.vitess;

import io.unitcell.testbed.ManagedProcess;
import java.util.HashSet;
import java.util.Set;

/** Free loopback ports, none handed out twice within one testbed. */
final class Ports {

  private final Set<Integer> used = new HashSet<>();

  synchronized int next() {
    while (true) {
      int port = ManagedProcess.freePort();
      if (used.add(port)) {
        return port;
      }
    }
  }
}
