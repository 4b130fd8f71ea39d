package io.unitcell.local.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The supervisor's control API on a free loopback port: plain text, a few requests at a time (a
 * client following a switchover waits on its request while {@code status} is asked).
 */
public final class ControlServer implements AutoCloseable {

  private final HttpServer server;

  private ControlServer(HttpServer server) {
    this.server = server;
  }

  /** Serves {@code control} on 127.0.0.1, on a port the system picks ({@link #port()}). */
  public static ControlServer start(Control control) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/status", exchange -> reply(exchange, control::status));
    server.createContext("/down", exchange -> reply(exchange, control::down));
    server.createContext(
        "/instances/", exchange -> reply(exchange, () -> instance(control, exchange)));
    server.createContext(
        "/flash-sales/",
        exchange ->
            reply(
                exchange,
                () ->
                    "POST".equals(exchange.getRequestMethod())
                        ? control.openFlashSale(
                            exchange.getRequestURI().getPath(),
                            exchange.getRequestURI().getRawQuery())
                        : new Control.Answer(405, "POST /flash-sales/<sku>?stock=N\n")));
    server.createContext("/cells/", exchange -> reply(exchange, () -> cell(control, exchange)));
    server.setExecutor(
        Executors.newFixedThreadPool(
            4,
            task -> {
              Thread thread = new Thread(task, "unitcell-control");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    return new ControlServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static Control.Answer instance(Control control, HttpExchange exchange) {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    if (parts.length != 4
        || !"kill".equals(parts[3])
        || !"POST".equals(exchange.getRequestMethod())) {
      return new Control.Answer(404, "POST /instances/<name>/kill\n");
    }
    return control.kill(parts[2]);
  }

  private static Control.Answer cell(Control control, HttpExchange exchange) {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    if (parts.length != 4 || !"switchover".equals(parts[3])) {
      return new Control.Answer(404, "POST or GET /cells/<cell>/switchover\n");
    }
    String query = exchange.getRequestURI().getQuery();
    if ("GET".equals(exchange.getRequestMethod())) {
      int after =
          query != null && query.matches("after=\\d{1,6}")
              ? Integer.parseInt(query.substring(6))
              : 0;
      return control.switchover(parts[2], after);
    }
    return control.startSwitchover(
        parts[2], query != null && query.startsWith("to=") ? query.substring(3) : null);
  }

  /** Sends what {@code handler} answers; a failure of it is a 500 with its reason. */
  private static void reply(HttpExchange exchange, Supplier<Control.Answer> handler)
      throws IOException {
    Control.Answer answer;
    try {
      answer = handler.get();
    } catch (RuntimeException e) {
      answer = new Control.Answer(500, "failed: " + e + "\n");
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(answer.code(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    answer.afterReply().run();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
