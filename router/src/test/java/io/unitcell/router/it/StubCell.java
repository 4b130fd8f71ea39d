package io.unitcell.router.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in cell for the router's tests, run as its own process ({@code java -cp test-classes
 * io.unitcell.router.it.StubCell NAME PORT}) so a test can kill it for real. It answers every
 * request with what it received, as JSON: {@code {"cell":..,"port":..,"method":..,"path":..,
 * "user":..,"secret":..,"forwardedFor":..,"body":..}}.
 *
 * <p>Controls (straight to its port, never through the router): {@code POST
 * /_stub/health?status=503} sets the health check's answer, {@code POST /_stub/misdirect?epoch=N}
 * answers 421 with {@code X-Unitcell-Epoch: N} to everything ({@code epoch=0} stops), {@code POST
 * /_stub/delay?ms=N} delays every answer, {@code GET /_stub/count} is the number of requests
 * answered (not counting health checks and controls).
 *
 * <p>A request with {@code X-Stub-Chunked: 1} is answered with a chunked body and hop-by-hop
 * headers ({@code Keep-Alive}, {@code Proxy-Connection}) that must not reach the client; one with
 * {@code X-Stub-Status: N} (204, 304) with that status and no body.
 */
public final class StubCell {

  private static final AtomicInteger HEALTH = new AtomicInteger(200);
  private static final AtomicLong MISDIRECT_EPOCH = new AtomicLong();
  private static final AtomicLong DELAY_MS = new AtomicLong();
  private static final AtomicLong COUNT = new AtomicLong();

  private StubCell() {}

  public static void main(String[] args) throws IOException {
    String name = args[0];
    int port = Integer.parseInt(args[1]);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
    server.setExecutor(Executors.newFixedThreadPool(32));
    server.createContext("/", exchange -> handle(name, port, exchange));
    server.start();
    System.out.println("stub cell " + name + " listening on 127.0.0.1:" + port);
  }

  private static void handle(String name, int port, HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String path = uri.getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (path.equals("/q/health/ready")) {
        send(exchange, HEALTH.get(), "{\"status\":\"" + HEALTH.get() + "\"}");
        return;
      }
      if (path.startsWith("/_stub/")) {
        control(exchange, path, uri.getQuery());
        return;
      }
      long delay = DELAY_MS.get();
      if (delay > 0) {
        Thread.sleep(delay);
      }
      long misdirect = MISDIRECT_EPOCH.get();
      if (misdirect > 0) {
        exchange.getResponseHeaders().add("X-Unitcell-Epoch", Long.toString(misdirect));
        send(exchange, 421, "{\"status\":421,\"error\":\"not this cell's user\"}");
        return;
      }
      COUNT.incrementAndGet();
      String json =
          "{\"cell\":\""
              + name
              + "\",\"port\":"
              + port
              + ",\"method\":\""
              + exchange.getRequestMethod()
              + "\",\"path\":\""
              + path
              + "\",\"user\":"
              + quoted(exchange.getRequestHeaders().getFirst("X-User-Id"))
              + ",\"secret\":"
              + quoted(exchange.getRequestHeaders().getFirst("X-Unitcell-Router-Secret"))
              + ",\"authorization\":"
              + quoted(exchange.getRequestHeaders().getFirst("Authorization"))
              + ",\"forwardedFor\":"
              + quoted(exchange.getRequestHeaders().getFirst("X-Forwarded-For"))
              + ",\"host\":"
              + quoted(exchange.getRequestHeaders().getFirst("Host"))
              + ",\"body\":"
              + quoted(new String(body, StandardCharsets.UTF_8))
              + "}";
      int status = "POST".equals(exchange.getRequestMethod()) ? 201 : 200;
      String bodyless = exchange.getRequestHeaders().getFirst("X-Stub-Status");
      if (bodyless != null) {
        exchange.getResponseHeaders().add("ETag", "\"v1\"");
        exchange.sendResponseHeaders(Integer.parseInt(bodyless), -1); // -1: no body
        return;
      }
      if ("1".equals(exchange.getRequestHeaders().getFirst("X-Stub-Chunked"))) {
        exchange.getResponseHeaders().add("Keep-Alive", "timeout=60");
        exchange.getResponseHeaders().add("Proxy-Connection", "keep-alive");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, 0); // 0: chunked
        try (OutputStream out = exchange.getResponseBody()) {
          byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
          out.write(bytes, 0, bytes.length / 2);
          out.flush();
          out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
        }
        return;
      }
      send(exchange, status, json);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void control(HttpExchange exchange, String path, String query) throws IOException {
    long value = query == null ? 0 : Long.parseLong(query.substring(query.indexOf('=') + 1));
    switch (path) {
      case "/_stub/health" -> HEALTH.set((int) value);
      case "/_stub/misdirect" -> MISDIRECT_EPOCH.set(value);
      case "/_stub/delay" -> DELAY_MS.set(value);
      case "/_stub/count" -> {
        send(exchange, 200, Long.toString(COUNT.get()));
        return;
      }
      default -> {
        send(exchange, 404, "unknown control " + path);
        return;
      }
    }
    send(exchange, 200, "ok");
  }

  private static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void send(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!"HEAD".equals(exchange.getRequestMethod())) {
        out.write(bytes); // an answer to HEAD has no body (and here no length)
      }
    }
  }
}
