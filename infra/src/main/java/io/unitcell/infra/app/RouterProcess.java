package io.unitcell.infra.app;

import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.process.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The router as its own JVM, started from the packaged jar ({@code
 * router/target/quarkus-app/quarkus-run.jar}) with its configuration in environment variables: the
 * proxy on {@code proxyPort}, its management API (health, metrics, {@code /admin}) on {@code
 * managementPort}; ready when {@code /q/health/ready} answers 200.
 */
public final class RouterProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final ManagedProcess process;
  private final int managementPort;

  private RouterProcess(ManagedProcess process, int managementPort) {
    this.process = process;
    this.managementPort = managementPort;
  }

  /**
   * Starts {@code jar} with {@code env} (e.g. {@code UNITCELL_ROUTING_TABLE}) and waits until it is
   * ready.
   */
  public static RouterProcess start(
      Path jar, Map<String, String> env, Path logDir, int proxyPort, int managementPort) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the router first (mvn package)");
    }
    Map<String, String> all = new HashMap<>(env);
    all.put("UNITCELL_ROUTER_PORT", Integer.toString(proxyPort));
    all.put("QUARKUS_HTTP_PORT", Integer.toString(managementPort));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ManagedProcess process =
        ManagedProcess.start(
            "router",
            List.of(
                java,
                "-Xmx256m",
                // no reference-count and bounds check on every buffer access (the router's tests
                // keep them); 6 % of the proxy's event loop in a profile (docs/benchmarks.md)
                "-Dio.netty.buffer.checkAccessible=false",
                "-Dio.netty.buffer.checkBounds=false",
                "-jar",
                jar.toString()),
            logDir,
            all,
            null);
    try {
      process.awaitReady(START_TIMEOUT, () -> HttpProbe.ok(managementPort, "/q/health/ready"));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return new RouterProcess(process, managementPort);
  }

  /** The port of its health, metrics and {@code /admin} API. */
  public int managementPort() {
    return managementPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return process.log();
  }

  @Override
  public void close() {
    process.close();
  }
}
