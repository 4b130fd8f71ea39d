package io.unitcell.bench.platform;

import com.sun.net.httpserver.HttpServer;
import io.unitcell.local.load.LoadDriver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * Warms the load driver itself before the first measured step: the same mix against a stub server
 * in this JVM (every answer 201 with an order id), so that the first step right after READY
 * measures the platform's first minute, not the driver's JIT.
 */
final class DriverWarmup {

  private DriverWarmup() {}

  static void run(Duration duration, int rps) throws Exception {
    HttpServer stub =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    stub.setExecutor(Executors.newFixedThreadPool(4));
    byte[] answer =
        "{\"orderId\":\"1000\",\"status\":\"CREATED\"}".getBytes(StandardCharsets.UTF_8);
    stub.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(201, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    stub.start();
    Path acked = Files.createTempFile("driver-warmup", ".txt");
    try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
      new LoadDriver(
              new LoadDriver.Settings(100, rps, duration, acked, "driverwarmup", null),
              "http://127.0.0.1:" + stub.getAddress().getPort(),
              "driver-warm-up-secret",
              quiet)
          .measure();
    } catch (IOException e) {
      throw new IllegalStateException("the load driver's warm-up failed", e);
    } finally {
      stub.stop(0);
      ((java.util.concurrent.ExecutorService) stub.getExecutor()).shutdownNow();
      Files.deleteIfExists(acked);
    }
  }
}
