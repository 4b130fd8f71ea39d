package io.unitcell.local.state;

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
 * {@code platform/} with every process's logs and data.
 */
public final class LocalState {

  /** The line the supervisor logs once the platform serves; {@code up} waits for it. */
  public static final String READY = "unitcell: READY";

  private final Path dir;

  public LocalState(Path dir) {
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
  public Path repo() {
    return Path.of("").toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  public Path pidFile() {
    return dir.resolve("supervisor.pid");
  }

  public Path logFile() {
    return dir.resolve("supervisor.log");
  }

  public Path controlPortFile() {
    return dir.resolve("control.port");
  }

  public Path routerPortFile() {
    return dir.resolve("router.port");
  }

  /** Connector/J URL of vtgate with {@code {keyspace}} where the database name goes. */
  public Path vtgateUrlFile() {
    return dir.resolve("vtgate.url");
  }

  /** The manifest the running platform was started from. */
  public Path manifestFile() {
    return dir.resolve("manifest.path");
  }

  public Path tableFile() {
    return dir.resolve("routing-table.json");
  }

  /**
   * The flash sales the supervisor opened since {@code up}: per SKU, per cell, the units put on
   * sale ({@code FlashSales.Ledger}); {@code ./unitcell verify} checks no cell sold more.
   */
  public Path flashSalesFile() {
    return dir.resolve("flash-sales.json");
  }

  /**
   * Every process's logs and data: {@code platform/}, or {@code testbed/} where a version before
   * 0.1 kept its platform (the kept Vitess data names its own paths, so it is not moved).
   */
  public Path platformDir() {
    Path earlier = dir.resolve("testbed");
    return Files.isDirectory(earlier) ? earlier : dir.resolve("platform");
  }

  /** HS256 key routers verify users' tokens with (development only; 32 random bytes). */
  public String jwtSecret() {
    return secret("jwt-secret");
  }

  /** Proves to a cell that a request came through the router. */
  public String routerSecret() {
    return secret("router-secret");
  }

  /** The supervisor, if one is running for this state directory. */
  public Optional<ProcessHandle> supervisor() {
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

  public Optional<Integer> controlPort() {
    return readInt(controlPortFile());
  }

  public Optional<Integer> routerPort() {
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
