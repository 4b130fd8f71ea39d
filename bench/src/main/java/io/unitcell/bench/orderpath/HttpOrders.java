package io.unitcell.bench.orderpath;

import io.unitcell.bench.orderpath.ClosedLoop.Failure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One virtual user of the HTTP side: {@code POST /orders} as the router would send it (user id,
 * router secret, a fresh Idempotency-Key per order), expecting {@code 201}. Requests go through a
 * shared {@link HttpClient} (HTTP/1.1), which keeps one keep-alive connection per concurrently busy
 * user.
 */
final class HttpOrders implements ClosedLoop.Worker {

  static final byte[] BODY = OrderPathBenchmark.REQUEST_JSON.getBytes(StandardCharsets.UTF_8);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client;
  private final URI orders;
  private final String userId;
  private final String keyPrefix;
  private final String secret;

  HttpOrders(HttpClient client, URI orders, String userId, String keyPrefix, String secret) {
    this.client = client;
    this.orders = orders;
    this.userId = userId;
    this.keyPrefix = keyPrefix;
    this.secret = secret;
  }

  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @Override
  public Failure order(long seq) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(orders)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("X-User-Id", userId)
            .header("Idempotency-Key", keyPrefix + seq)
            .header("X-Unitcell-Router-Secret", secret)
            .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
            .build();
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 201) {
      return null;
    }
    String body = new String(response.body(), StandardCharsets.UTF_8);
    return new Failure(
        "HTTP " + response.statusCode(), body.length() > 300 ? body.substring(0, 300) : body);
  }
}
