package io.unitcell.infra.vitess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a Vitess daemon, the same for all of them but for its own flags. */
final class VitessDaemon {

  private VitessDaemon() {}

  /**
   * {@code binary}, the topology flags, no config file, logs to stderr (the process log), then
   * {@code flags}; started through {@link NonRoot} because Vitess refuses to run as root.
   */
  static List<String> command(Path binary, List<String> topologyFlags, List<String> flags) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(topologyFlags);
    command.addAll(List.of("--config-file-not-found-handling", "ignore", "--logtostderr"));
    command.addAll(flags);
    return NonRoot.command(command);
  }
}
