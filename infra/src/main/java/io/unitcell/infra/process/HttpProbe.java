package io.unitcell.infra.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Readiness probes of the processes: an HTTP GET on loopback. */
public final class HttpProbe {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private HttpProbe() {}

  /** True when {@code http://127.0.0.1:<port><path>} answers 200 within 2 s. */
  public static boolean ok(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }
}
