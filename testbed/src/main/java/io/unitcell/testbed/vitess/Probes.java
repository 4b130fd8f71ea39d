package io.unitcell.testbed.vitess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Readiness probes of the Vitess processes. */
final class Probes {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private Probes() {}

  /** True when {@code http://127.0.0.1:<port><path>} answers 200. */
  static boolean httpOk(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }
}
