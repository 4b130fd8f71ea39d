package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.RoutingTable;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Routing through the packaged router to three stub cells (separate processes on loopback), with
 * the table from a file: stickiness, re-routing on a newer table, an older table ignored, the epoch
 * exposed three ways (admin API, metric, response header).
 */
@TestMethodOrder(OrderAnnotation.class)
class RoutingIT {

  static final String SECRET = "s3cret-for-cells";
  static RouterHarness harness;
  static Map<String, Stub> stubs = new HashMap<>();
  static RoutingTable table;

  @BeforeAll
  static void start() {
    harness = new RouterHarness("routing");
    for (String cell : List.of("cell-1", "cell-2", "cell-3")) {
      stubs.put(cell, harness.stub(cell));
    }
    table = table(1, Map.of("cell-1", 1, "cell-2", 1, "cell-3", 1));
    harness.writeTable(table);
    harness.startRouter(Map.of("UNITCELL_ROUTER_AUTH", "header", "UNITCELL_ROUTER_SECRET", SECRET));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static RoutingTable table(long epoch, Map<String, Integer> weights) {
    return table(epoch, weights, stubs);
  }

  static RoutingTable table(long epoch, Map<String, Integer> weights, Map<String, Stub> stubs) {
    List<CellWeight> cells =
        weights.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> new CellWeight(e.getKey(), e.getValue()))
            .toList();
    Map<String, CellRoute> routes = new HashMap<>();
    stubs.forEach((cell, stub) -> routes.put(cell, CellRoute.serving("zone-a", stub.endpoint())));
    return RoutingTable.of(epoch, Planner.assign(1024, cells), routes);
  }

  static String cellSeenBy(String user) {
    return cellSeenBy(harness, user);
  }

  static String cellSeenBy(RouterHarness harness, String user) {
    HttpResponse<String> response = harness.get("/orders/1", user);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return RouterHarness.json(response.body()).get("cell").asText();
  }

  @Test
  @Order(1)
  void everyUserAlwaysReachesTheCellTheTableNames() {
    Map<String, Integer> perCell = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String user = "user-" + i;
      String expected = table.cellOfUser(user);
      for (int round = 0; round < 3; round++) {
        assertThat(cellSeenBy(user)).as(user).isEqualTo(expected);
      }
      perCell.merge(expected, 1, Integer::sum);
    }
    assertThat(perCell).hasSize(3);

    HttpResponse<String> response = harness.post("/orders", "user-7", "{\"sku\":\"A\"}");
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().firstValue("X-Unitcell-Router-Epoch")).hasValue("1");
    JsonNode seen = RouterHarness.json(response.body());
    assertThat(seen.get("user").asText()).isEqualTo("user-7");
    assertThat(seen.get("secret").asText()).isEqualTo(SECRET);
    assertThat(seen.get("body").asText()).isEqualTo("{\"sku\":\"A\"}");
    assertThat(seen.get("forwardedFor").asText()).isEqualTo("127.0.0.1");

    assertThat(harness.metric("unitcell_router_requests_seconds_count", "cell=\"cell-1\""))
        .isPositive();
    assertThat(harness.metric("unitcell_router_requests_seconds_bucket", "le=\"+Inf\""))
        .isPositive();
    assertThat(harness.metric("unitcell_router_table_epoch")).isEqualTo(1.0);
  }

  @Test
  @Order(2)
  void aNewerTableReroutesWithoutRestart() {
    long pid = harness.router().pid();
    RoutingTable next = table(2, Map.of("cell-2", 1, "cell-3", 1)); // cell-1 gives up its slots
    harness.writeTable(next);
    String movedUser = userOf("cell-1", table);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(cellSeenBy(movedUser)).isEqualTo(next.cellOfUser(movedUser)));
    table = next;
    for (int i = 0; i < 200; i++) {
      assertThat(cellSeenBy("user-" + i)).isEqualTo(next.cellOfUser("user-" + i));
    }
    assertThat(harness.epochServed()).isEqualTo(2);
    assertThat(harness.get("/orders/1", movedUser).headers().firstValue("X-Unitcell-Router-Epoch"))
        .hasValue("2");
    assertThat(harness.metric("unitcell_router_table_epoch")).isEqualTo(2.0);
    assertThat(harness.router().pid()).isEqualTo(pid);
  }

  @Test
  @Order(3)
  void anOlderEpochIsIgnored() {
    double staleBefore = harness.metric("unitcell_router_table_updates_total", "stale");
    RoutingTable old = table(1, Map.of("cell-1", 1)); // would send everybody to cell-1
    harness.writeTable(old);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.metric("unitcell_router_table_updates_total", "stale") > staleBefore);
    assertThat(harness.epochServed()).isEqualTo(2);
    for (int i = 0; i < 100; i++) {
      assertThat(cellSeenBy("user-" + i)).isEqualTo(table.cellOfUser("user-" + i));
    }
  }

  @Test
  @Order(4)
  void requestsWithoutAUserAreRefused() {
    HttpResponse<String> response = harness.get("/orders/1", null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("missing X-User-Id header");
    assertThat(harness.metric("unitcell_router_rejections_total", "unauthenticated")).isPositive();
  }

  @Test
  @Order(5)
  void theCellsOperationsAndProbesAreNotReachableThroughTheRouter() {
    long served = stubs.values().stream().mapToLong(Stub::count).sum();
    for (String path :
        List.of("/admin/switches", "/admin/flash-sales/sku-1", "/q/health/ready", "/q/metrics")) {
      HttpResponse<String> response = harness.get(path, "user-1");
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).contains("not a user API path");
    }
    assertThat(stubs.values().stream().mapToLong(Stub::count).sum()).isEqualTo(served);
  }

  @Test
  @Order(6)
  void chunkedBodiesArriveWholeAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
    String body = "{\"lines\":\"" + "x".repeat(5000) + "\"}";
    HttpResponse<String> response =
        harness.send(
            harness
                .request("/orders", "user-3")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build());
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(RouterHarness.json(response.body()).get("body").asText()).isEqualTo(body);

    // two requests in one write on one connection: two answers, in order
    try (Socket socket = new Socket("127.0.0.1", harness.routerPort())) {
      socket.setSoTimeout(10_000);
      String two =
          "GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-User-Id: user-1\r\n\r\n"
              + "GET /orders/2 HTTP/1.1\r\nHost: x\r\nX-User-Id: user-2\r\n\r\n";
      socket.getOutputStream().write(two.getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      List<String> paths = new java.util.ArrayList<>();
      for (int answer = 0; answer < 2; answer++) {
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        int length = 0;
        for (String line; !(line = in.readLine()).isEmpty(); ) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        char[] json = new char[length];
        for (int read = 0; read < length; ) {
          read += in.read(json, read, length - read);
        }
        paths.add(RouterHarness.json(new String(json)).get("path").asText());
      }
      assertThat(paths).containsExactly("/orders/1", "/orders/2");
    }
  }

  @Test
  @Order(7)
  void chunkedAnswersAndAnswersToHeadArriveIntactOnOneConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", harness.routerPort())) {
      socket.setSoTimeout(10_000);
      String three =
          "HEAD /orders/1 HTTP/1.1\r\n"
              + "Host: x\r\n"
              + "X-User-Id: user-1\r\n\r\n"
              + "GET /orders/2 HTTP/1.1\r\n"
              + "Host: x\r\n"
              + "X-User-Id: user-1\r\n"
              + "X-Stub-Chunked: 1\r\n"
              + "X-Forwarded-For: 10.0.0.1\r\n"
              + "TE: trailers\r\n\r\n"
              + "GET /orders/3 HTTP/1.1\r\n"
              + "Host: x\r\n"
              + "X-User-Id: user-1\r\n"
              + "Connection: close\r\n\r\n";
      socket.getOutputStream().write(three.getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      // HEAD: a head, no body, whatever length it names
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      Map<String, String> headers = headers(in);
      assertThat(headers).containsKey("x-unitcell-router-epoch");

      // chunked from the cell: whole, with a length, without the cell's hop-by-hop headers
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      headers = headers(in);
      assertThat(headers)
          .containsKeys("content-length", "content-type", "x-unitcell-router-epoch")
          .doesNotContainKeys("transfer-encoding", "keep-alive", "proxy-connection", "connection");
      String body = body(in, Integer.parseInt(headers.get("content-length")));
      assertThat(RouterHarness.json(body).get("path").asText()).isEqualTo("/orders/2");
      assertThat(RouterHarness.json(body).get("forwardedFor").asText())
          .isEqualTo("10.0.0.1, 127.0.0.1");

      // the client's last request: answered, then the connection closes
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      headers = headers(in);
      assertThat(headers.get("connection")).isEqualToIgnoringCase("close");
      body = body(in, Integer.parseInt(headers.get("content-length")));
      assertThat(RouterHarness.json(body).get("path").asText()).isEqualTo("/orders/3");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  @Order(8)
  void answersWithoutBodyKeepTheConnectionInStep() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", harness.routerPort())) {
      socket.setSoTimeout(10_000);
      String three =
          "GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-User-Id: user-1\r\nX-Stub-Status: 204\r\n\r\n"
              + "GET /orders/2 HTTP/1.1\r\nHost: x\r\nX-User-Id: user-1\r\n"
              + "If-None-Match: \"v1\"\r\nX-Stub-Status: 304\r\n\r\n"
              + "GET /orders/3 HTTP/1.1\r\nHost: x\r\nX-User-Id: user-1\r\n\r\n";
      socket.getOutputStream().write(three.getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      // 204: never a length, no body
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 204 No Content");
      Map<String, String> headers = headers(in);
      assertThat(headers)
          .containsKey("x-unitcell-router-epoch")
          .doesNotContainKey("content-length");
      // 304: no body
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 304 Not Modified");
      headers = headers(in);
      assertThat(headers).containsEntry("etag", "\"v1\"");
      // the next answer is read from where the last one ended
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      headers = headers(in);
      String body = body(in, Integer.parseInt(headers.get("content-length")));
      assertThat(RouterHarness.json(body).get("path").asText()).isEqualTo("/orders/3");
    }
  }

  @Test
  @Order(9)
  void http10ClientsGetTheirConnectionRulesAndTheCellsAHost() throws Exception {
    // HTTP/1.0 without keep-alive and without Host: answered, then closed; the cell gets a Host
    try (Socket socket = new Socket("127.0.0.1", harness.routerPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /orders/1 HTTP/1.0\r\nX-User-Id: user-1\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      Map<String, String> headers = headers(in);
      assertThat(headers.get("connection")).isEqualToIgnoringCase("close");
      String body = body(in, Integer.parseInt(headers.get("content-length")));
      assertThat(RouterHarness.json(body).get("host").asText()).startsWith("127.0.0.1:");
      assertThat(in.read()).isEqualTo(-1);
    }
    // HTTP/1.0 with keep-alive: told so, and the connection carries a second request
    try (Socket socket = new Socket("127.0.0.1", harness.routerPort())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET /orders/%d HTTP/1.0\r\n"
              + "Host: x\r\n"
              + "Connection: keep-alive\r\n"
              + "X-User-Id: user-1\r\n\r\n";
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (int i = 1; i <= 2; i++) {
        socket
            .getOutputStream()
            .write(String.format(request, i).getBytes(StandardCharsets.US_ASCII));
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        Map<String, String> headers = headers(in);
        assertThat(headers.get("connection")).isEqualToIgnoringCase("keep-alive");
        String body = body(in, Integer.parseInt(headers.get("content-length")));
        assertThat(RouterHarness.json(body).get("path").asText()).isEqualTo("/orders/" + i);
        assertThat(RouterHarness.json(body).get("host").asText()).isEqualTo("x");
      }
    }
  }

  private static Map<String, String> headers(BufferedReader in) throws java.io.IOException {
    Map<String, String> headers = new HashMap<>();
    for (String line; !(line = in.readLine()).isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).toLowerCase(java.util.Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return headers;
  }

  private static String body(BufferedReader in, int length) throws java.io.IOException {
    char[] chars = new char[length];
    for (int read = 0; read < length; ) {
      read += in.read(chars, read, length - read);
    }
    return new String(chars);
  }

  static String userOf(String cell, RoutingTable in) {
    for (int i = 0; ; i++) {
      if (in.cellOfUser("user-" + i).equals(cell)) {
        return "user-" + i;
      }
    }
  }
}
