package io.unitcell.local.control;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** Requests to the supervisor's control API on loopback, as the command line makes them. */
public final class ControlClient {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final int port;

  public ControlClient(int port) {
    this.port = port;
  }

  /** Sends {@code method pathAndQuery} without a body; the answer's code and text. */
  public Control.Answer send(String method, String pathAndQuery, Duration timeout)
      throws IOException, InterruptedException {
    var response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(timeout)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Control.Answer(response.statusCode(), response.body());
  }
}
