package io.unitcell.local.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load driver's HTTP/1.1 client against a scripted server on loopback. */
class Http1ClientTest {

  /** A server answering each request line (with its body) with what {@code answer} returns. */
  static final class Server implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Socket> open = new CopyOnWriteArrayList<>();

    Server(Function<String, String> answer) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    open.add(s);
                    Thread t = new Thread(() -> serve(s, answer));
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    void serve(Socket s, Function<String, String> answer) {
      try (s) {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
          int length = 0;
          for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
            if (h.toLowerCase().startsWith("content-length:")) {
              length = Integer.parseInt(h.substring(15).trim());
            }
          }
          char[] body = new char[length];
          int read = 0;
          while (read < length) {
            read += in.read(body, read, length - read);
          }
          String request = line + (length > 0 ? " " + new String(body) : "");
          requests.add(request);
          String reply = answer.apply(request);
          if (reply == null) {
            return; // hang up without answering
          }
          out.write(reply.getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (reply.contains("Connection: close")) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  Http1Client client(Server server) {
    Http1Client client = new Http1Client("127.0.0.1", server.port(), Duration.ofSeconds(2));
    closing.add(client);
    return client;
  }

  Server server(Function<String, String> answer) throws IOException {
    Server server = new Server(answer);
    closing.add(server);
    return server;
  }

  static Http1Client.Response get(Http1Client client, String path) throws Exception {
    return client.send("GET", path, Map.of(), null, Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aContentLengthAnswerAndTheConnectionIsKept() throws Exception {
    Server server = server(r -> "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello");
    Http1Client client = client(server);
    for (int i = 0; i < 3; i++) {
      Http1Client.Response response =
          client
              .send("POST", "/orders", Map.of("A", "b"), "{\"x\":1}", Duration.ofSeconds(2))
              .get(5, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(201);
      assertThat(response.body()).isEqualTo("hello");
    }
    assertThat(server.requests).containsOnly("POST /orders HTTP/1.1 {\"x\":1}");
    assertThat(server.connections.get()).isEqualTo(1);
  }

  @Test
  void retryAfterInSecondsIsRead() throws Exception {
    Server server =
        server(
            r ->
                r.startsWith("GET /busy")
                    ? "HTTP/1.1 503 Service Unavailable\r\n"
                        + "Retry-After: 1\r\n"
                        + "Content-Length: 0\r\n\r\n"
                    : "HTTP/1.1 503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2026 07:28:00"
                        + " GMT\r\nContent-Length: 0\r\n\r\n");
    Http1Client client = client(server);
    assertThat(get(client, "/busy").retryAfterSeconds()).isEqualTo(1);
    assertThat(get(client, "/date").retryAfterSeconds()).isEqualTo(-1);
  }

  @Test
  void aChunkedAnswerIsJoinedAndUtf8Decoded() throws Exception {
    String body = "{\"sku\":\"茶-1\"}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Server server =
        server(
            r ->
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n"
                    + "{\"sku\r\n"
                    + Integer.toHexString(bytes.length - 5)
                    + ";ext=1\r\n"
                    + body.substring(5)
                    + "\r\n0\r\n\r\n");
    Http1Client.Response response = get(client(server), "/x");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void connectionCloseIsNotReusedAndNoContentHasNoBody() throws Exception {
    Server server =
        server(
            r ->
                r.startsWith("GET /close")
                    ? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
                    : "HTTP/1.1 204 No Content\r\n\r\n");
    Http1Client client = client(server);
    assertThat(get(client, "/close").body()).isEqualTo("ok");
    assertThat(get(client, "/close").body()).isEqualTo("ok");
    assertThat(server.connections.get()).isEqualTo(2);
    Http1Client.Response empty = get(client, "/none");
    assertThat(empty.status()).isEqualTo(204);
    assertThat(empty.body()).isEmpty();
  }

  @Test
  void aKeptConnectionTheServerDroppedIsReplacedTransparently() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    Server server =
        server(r -> "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + answered.incrementAndGet());
    Http1Client client = client(server);
    assertThat(get(client, "/a").body()).isEqualTo("1");
    for (Socket s : server.open) {
      s.close(); // the server's idle time-out
    }
    assertThat(get(client, "/b").body()).isEqualTo("2");
    assertThat(server.connections.get()).isEqualTo(2);
  }

  @Test
  void noAnswerInTimeIsATimeoutAndAHangUpAnIoFailure() throws Exception {
    Server silent =
        server(
            r -> {
              try {
                Thread.sleep(3_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            });
    assertThatThrownBy(
            () ->
                client(silent)
                    .send("GET", "/slow", Map.of(), null, Duration.ofMillis(200))
                    .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(Http1Client.TimeoutException.class);
    Server rude = server(r -> null);
    assertThatThrownBy(() -> get(client(rude), "/gone"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
  }
}
