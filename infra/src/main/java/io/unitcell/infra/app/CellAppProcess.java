package io.unitcell.infra.app;

import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.process.ManagedProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cell-app instance as its own JVM, started from the packaged jar ({@code
 * cell-app/target/quarkus-app/quarkus-run.jar}) with its configuration in environment variables,
 * ready when {@code /q/health/ready} answers 200. For the local runtime, drills, benchmarks and
 * tests; {@link #kill()} is a crash (SIGKILL), {@link #close()} a graceful stop.
 */
public final class CellAppProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final ManagedProcess process;
  private final int port;

  private CellAppProcess(ManagedProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code jar} with {@code env} (e.g. {@code UNITCELL_DB_URL}) on a free port and waits
   * until it is ready.
   */
  public static CellAppProcess start(String name, Path jar, Map<String, String> env, Path logDir) {
    return start(name, jar, env, logDir, ManagedProcess.freePort());
  }

  /**
   * As {@link #start(String, Path, Map, Path)}, on {@code port} (e.g. named in a routing table).
   */
  public static CellAppProcess start(
      String name, Path jar, Map<String, String> env, Path logDir, int port) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package cell-app first (mvn package)");
    }
    Map<String, String> all = new HashMap<>(env);
    all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ManagedProcess process =
        ManagedProcess.start(
            name, List.of(java, "-Xmx512m", "-jar", jar.toString()), logDir, all, null);
    CellAppProcess app = new CellAppProcess(process, port);
    try {
      process.awaitReady(START_TIMEOUT, () -> HttpProbe.ok(port, "/q/health/ready"));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return app;
  }

  public int port() {
    return port;
  }

  /** The JVM's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Completes when the instance has exited (crashed, killed or stopped). */
  public java.util.concurrent.CompletableFuture<Void> onExit() {
    return process.onExit();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public Path log() {
    return process.log();
  }

  /** Kills the instance at once (SIGKILL): no shutdown hooks, as a crash or an OOM kill. */
  public void kill() {
    process.kill();
  }

  @Override
  public void close() {
    process.close();
  }
}
