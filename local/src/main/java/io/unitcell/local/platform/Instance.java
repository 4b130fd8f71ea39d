package io.unitcell.local.platform;

import io.unitcell.infra.app.CellAppProcess;

/**
 * One cell-app process: which cell, which zone, active (named in the table) or warm standby.
 *
 * @param app the process, null while it is only planned
 */
record Instance(
    String name, String cell, String zone, boolean active, int port, CellAppProcess app) {

  Instance withApp(CellAppProcess started) {
    return new Instance(name, cell, zone, active, port, started);
  }

  Instance withActive(boolean nowActive) {
    return new Instance(name, cell, zone, nowActive, port, app);
  }

  boolean isAlive() {
    return app != null && app.isAlive();
  }

  /** {@code 127.0.0.1:<port>}, as the routing table names it. */
  String endpoint() {
    return "127.0.0.1:" + port;
  }
}
