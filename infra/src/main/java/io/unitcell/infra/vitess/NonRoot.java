package io.unitcell.infra.vitess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Vitess daemons exit at once when started as root ({@code servenv.Init: running this as root makes
 * no sense}). As root, they are started in a user namespace where they are uid 1000 (mapped to root
 * outside, so the files they write stay root's), and mysqld, their child, is not root either.
 */
final class NonRoot {

  private static final Path UNSHARE = Path.of("/usr/bin/unshare");

  private NonRoot() {}

  static List<String> command(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    if (!Files.isExecutable(UNSHARE)) {
      throw new IllegalStateException(
          "Vitess refuses to run as root and " + UNSHARE + " (util-linux) is missing");
    }
    List<String> wrapped =
        new ArrayList<>(
            List.of(UNSHARE.toString(), "--user", "--map-user=1000", "--map-group=1000", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell whether this process runs as root", e);
    }
  }
}
