package io.unitcell.infra.infinispan;

import io.unitcell.infra.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.server.ExitStatus;
import org.infinispan.server.Server;

/**
 * A real Infinispan server (the same version as the Hot Rod client) running inside this JVM: Hot
 * Rod and REST on one loopback port, no authentication, not clustered. Its data directory survives
 * a {@link #restart()}, so caches created with a file store keep their entries, as a server with
 * persistence does.
 */
public final class InfinispanServer implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private static final String CONFIG =
      """
      <infinispan xmlns="urn:infinispan:config:15.0" xmlns:server="urn:infinispan:server:15.0">
        <cache-container name="default" statistics="false"/>
        <server xmlns="urn:infinispan:server:15.0">
          <interfaces>
            <interface name="public"><inet-address value="127.0.0.1"/></interface>
          </interfaces>
          <socket-bindings default-interface="public" port-offset="0">
            <socket-binding name="default" port="%d"/>
          </socket-bindings>
          <endpoints>
            <endpoint socket-binding="default">
              <hotrod-connector name="hotrod"/>
              <rest-connector name="rest"/>
            </endpoint>
          </endpoints>
        </server>
      </infinispan>
      """;

  private final Path home;
  private Server server;
  private CompletableFuture<ExitStatus> exit;
  private int port;

  private InfinispanServer(Path home) {
    this.home = home;
  }

  /** Starts a server keeping its state under {@code home}, on a free loopback port. */
  public static InfinispanServer start(Path home) {
    InfinispanServer server = new InfinispanServer(home);
    server.startOn(ManagedProcess.freePort());
    return server;
  }

  /** {@code host:port} of the Hot Rod endpoint, as clients configure it. */
  public String hosts() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public boolean isRunning() {
    return server != null && server.getStatus() == ComponentStatus.RUNNING;
  }

  /** Stops the server (its data stays); clients see connection failures until {@link #start()}. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.getExitHandler().exit(ExitStatus.SERVER_SHUTDOWN);
    try {
      exit.get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping Infinispan", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Infinispan did not stop within " + STOP_TIMEOUT, e);
    } finally {
      server = null;
    }
  }

  /** Starts the stopped server again on the same port with the same data. */
  public synchronized void start() {
    if (server == null) {
      startOn(port);
    }
  }

  /** Stops and starts the server; persistent caches keep their entries. */
  public void restart() {
    stop();
    start();
  }

  @Override
  public void close() {
    stop();
  }

  private void startOn(int port) {
    this.port = port;
    try {
      Path conf = Files.createDirectories(home.resolve("server/conf"));
      Path config = conf.resolve("infinispan.xml");
      Files.writeString(config, CONFIG.formatted(port));
      Properties properties = new Properties();
      properties.setProperty(Server.INFINISPAN_SERVER_HOME_PATH, home.toString());
      properties.setProperty(Server.INFINISPAN_BIND_ADDRESS, "127.0.0.1");
      properties.setProperty(Server.INFINISPAN_BIND_PORT, Integer.toString(port));
      // stopping one server must not shut down this JVM's logging
      properties.setProperty(Server.INFINISPAN_LOG4J_SHUTDOWN, "false");
      Server started = new Server(home.resolve("server").toFile(), config.toFile(), properties);
      exit = started.run();
      // start-up failures are logged, not thrown
      if (started.getStatus() != ComponentStatus.RUNNING) {
        started.getExitHandler().exit(ExitStatus.SERVER_SHUTDOWN);
        throw new IllegalStateException(
            "Infinispan did not start on port " + port + " (status " + started.getStatus() + ")");
      }
      server = started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
