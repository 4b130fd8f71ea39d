package io.unitcell.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Where the local runtime keeps its state: {@code .unitcell/} in the repository (git-ignored) — the
 * supervisor's pid, log and control port, the published routing table, the development secrets, and
 * {@code testbed/} with every process's logs and data.
 */
final class LocalState {

  private final Path dir;

  LocalState(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + this.dir, e);
    }
  }

  /**
   * The repository the runtime runs from (./unitcell works there; jars and schemas come from it).
   */
  Path repo() {
    return Path.of("").toAbsolutePath();
  }

  Path dir() {
    return dir;
  }

  Path pidFile() {
    return dir.resolve("supervisor.pid");
  }

  Path logFile() {
    return dir.resolve("supervisor.log");
  }

  Path controlPortFile() {
    return dir.resolve("control.port");
  }

  Path routerPortFile() {
    return dir.resolve("router.port");
  }

  /** Connector/J URL of vtgate with {@code {keyspace}} where the database name goes. */
  Path vtgateUrlFile() {
    return dir.resolve("vtgate.url");
  }

  /** The manifest the running platform was started from. */
  Path manifestFile() {
    return dir.resolve("manifest.path");
  }

  Path tableFile() {
    return dir.resolve("routing-table.json");
  }

  /**
   * The flash sales the supervisor opened since {@code up}: per SKU, per cell, the units put on
   * sale ({@link FlashSales.Ledger}); {@code ./unitcell verify} checks no cell sold more.
   */
  Path flashSalesFile() {
    return dir.resolve("flash-sales.json");
  }

  Path testbedDir() {
    return dir.resolve("testbed");
  }

  /** HS256 key routers verify users' tokens with (development only; 32 random bytes). */
  String jwtSecret() {
    return secret("jwt-secret");
  }

  /** Proves to a cell that a request came through the router. */
  String routerSecret() {
    return secret("router-secret");
  }

  /** The supervisor, if one is running for this state directory. */
  Optional<ProcessHandle> supervisor() {
    try {
      if (!Files.exists(pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile()).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  Optional<Integer> controlPort() {
    return readInt(controlPortFile());
  }

  Optional<Integer> routerPort() {
    return readInt(routerPortFile());
  }

  private static Optional<Integer> readInt(Path file) {
    try {
      return Files.exists(file)
          ? Optional.of(Integer.parseInt(Files.readString(file).trim()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private synchronized String secret(String name) {
    Path file = dir.resolve(name);
    try {
      if (!Files.exists(file)) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      }
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
