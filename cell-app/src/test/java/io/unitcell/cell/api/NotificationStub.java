package io.unitcell.cell.api;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A notification receiver on loopback that counts what it gets and can be made slow. */
final class NotificationStub implements AutoCloseable {

  final AtomicInteger received = new AtomicInteger();
  volatile long delayMillis;
  private final HttpServer server;

  NotificationStub() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext(
        "/order-events",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          received.incrementAndGet();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/order-events";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
