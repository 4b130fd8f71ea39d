package io.unitcell.router.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.testbed.TestbedLogs;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real processes on loopback for the router's tests: stub cells ({@link StubCell}, each its own
 * JVM, so it can be killed) and the packaged router jar, configured through its environment. Logs
 * stay in {@code target/testbed/router-<test>-*}.
 */
final class RouterHarness implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROUTER_JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  final Path dir;
  final Path tableFile;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<ManagedProcess> processes = new ArrayList<>();
  private int routerPort;
  private int adminPort;
  private ManagedProcess router;

  RouterHarness(String name) {
    this.dir = TestbedLogs.newRunDirectory("router-" + name);
    this.tableFile = dir.resolve("routing-table.json");
  }

  /** A stub cell on a free loopback port; returns its endpoint {@code 127.0.0.1:port}. */
  Stub stub(String cell) {
    int port = ManagedProcess.freePort();
    ManagedProcess process =
        ManagedProcess.start(
            "stub-" + cell + "-" + port,
            List.of(
                JAVA,
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                // without it the JDK server's header and body writes meet delayed ACKs: 40 ms each
                "-Dsun.net.httpserver.nodelay=true",
                "-cp",
                Path.of("target/test-classes").toAbsolutePath().toString(),
                StubCell.class.getName(),
                cell,
                Integer.toString(port)),
            dir,
            Map.of(),
            null);
    processes.add(process);
    Stub stub = new Stub(cell, port, process);
    process.awaitReady(Duration.ofSeconds(30), () -> stub.control("GET", "count", -1) >= 0);
    return stub;
  }

  /** Writes the table file atomically (as the local runtime and a ConfigMap mount do). */
  void writeTable(RoutingTable table) {
    try {
      Path temp = Files.createTempFile(dir, "table", ".json");
      Files.writeString(temp, table.toJson());
      Files.move(temp, tableFile, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the router jar with the table file (if written) and {@code env}, and waits for it. */
  void startRouter(Map<String, String> env) {
    if (!Files.isRegularFile(ROUTER_JAR)) {
      throw new IllegalStateException(ROUTER_JAR + " is missing: package the router first");
    }
    routerPort = ManagedProcess.freePort();
    adminPort = ManagedProcess.freePort();
    Map<String, String> all = new HashMap<>();
    all.put("UNITCELL_ROUTER_PORT", Integer.toString(routerPort));
    all.put("QUARKUS_HTTP_PORT", Integer.toString(adminPort));
    all.put("UNITCELL_ROUTER_HOST", "127.0.0.1");
    all.put("UNITCELL_ROUTER_EVENT_LOOPS", "2");
    if (Files.exists(tableFile)) {
      all.put("UNITCELL_ROUTING_TABLE", tableFile.toString());
    }
    all.put("UNITCELL_ROUTER_TABLE_POLL", "200ms");
    all.putAll(env);
    router =
        ManagedProcess.start(
            "router", List.of(JAVA, "-Xmx256m", "-jar", ROUTER_JAR.toString()), dir, all, null);
    processes.add(router);
    router.awaitReady(Duration.ofSeconds(90), () -> admin("/q/health/ready").statusCode() == 200);
  }

  int routerPort() {
    return routerPort;
  }

  ManagedProcess router() {
    return router;
  }

  HttpResponse<String> get(String path, String user) {
    return send(request(path, user).GET().build());
  }

  HttpResponse<String> post(String path, String user, String body) {
    return send(
        request(path, user)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpRequest.Builder request(String path, String user) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + path))
            .timeout(Duration.ofSeconds(20));
    if (user != null) {
      builder.header("X-User-Id", user);
    }
    return builder;
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> admin(String path) {
    return adminCall("GET", path);
  }

  HttpResponse<String> adminCall(String method, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  long epochServed() {
    return json(admin("/admin/table").body()).get("epoch").asLong();
  }

  /** A Prometheus sample's value (sum over series whose label text contains every filter). */
  double metric(String name, String... labelFilters) {
    double sum = 0;
    for (String line : admin("/q/metrics").body().split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean matches = true;
      for (String filter : labelFilters) {
        matches &= line.contains(filter);
      }
      if (matches) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + body, e);
    }
  }

  @Override
  public void close() {
    for (ManagedProcess process : processes) {
      process.close();
    }
  }

  /** A running stub cell. */
  final class Stub {
    final String cell;
    final int port;
    final ManagedProcess process;

    Stub(String cell, int port, ManagedProcess process) {
      this.cell = cell;
      this.port = port;
      this.process = process;
    }

    String endpoint() {
      return "127.0.0.1:" + port;
    }

    /** Sets a control value, or reads the request count (value -1 with GET count). */
    long control(String method, String what, long value) {
      String query = value < 0 ? "" : "?value=" + value;
      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/_stub/" + what + query))
                  .timeout(Duration.ofSeconds(5))
                  .method(method, HttpRequest.BodyPublishers.noBody())
                  .build());
      return "count".equals(what) ? Long.parseLong(response.body().trim()) : 0;
    }

    long count() {
      return control("GET", "count", -1);
    }

    void kill() {
      process.kill();
    }
  }
}
