package io.unitcell.local.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Requests to the supervisor's control API on loopback, as the command line makes them. Plain
 * {@link HttpURLConnection}: a one-shot CLI starts it in a few milliseconds, where {@code
 * java.net.http.HttpClient} costs about half a second of class loading per command.
 */
public final class ControlClient {

  private final int port;

  public ControlClient(int port) {
    this.port = port;
  }

  /** Sends {@code method pathAndQuery} without a body; the answer's code and text. */
  public Control.Answer send(String method, String pathAndQuery, Duration timeout)
      throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + port + pathAndQuery).toURL().openConnection();
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout((int) Math.min(timeout.toMillis(), 5_000));
      connection.setReadTimeout((int) timeout.toMillis());
      if (method.equals("POST") || method.equals("PUT")) {
        connection.setDoOutput(true);
        connection.getOutputStream().close();
      }
      int code = connection.getResponseCode();
      InputStream body = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
      return new Control.Answer(code, text);
    } finally {
      connection.disconnect();
    }
  }
}
