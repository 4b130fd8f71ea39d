package io.unitcell.local.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 client for the load driver: keep-alive connections to one host, one blocking
 * exchange per connection at a time on a thread of its own. The load it drives shares the machine
 * with the platform, so it must cost little: the JDK's {@code HttpClient} took about a quarter of a
 * core at 100 requests/s (its asynchronous machinery), this a few percent. Bodies are read by
 * {@code Content-Length} or chunked; a connection the server closes, or that says {@code
 * Connection: close}, is not reused.
 */
final class Http1Client implements Closeable {

  /**
   * An answer: status, body (UTF-8) and the seconds of its {@code Retry-After} header (-1 without
   * one, or when it is a date).
   */
  record Response(int status, String body, int retryAfterSeconds) {
    Response(int status, String body) {
      this(status, body, -1);
    }
  }

  /** The server did not answer in time. */
  static final class TimeoutException extends IOException {
    TimeoutException(String message) {
      super(message);
    }
  }

  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_BODY = 8 * 1024 * 1024;

  private final String host;
  private final int port;
  private final byte[] hostHeader;
  private final Duration connectTimeout;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final ExecutorService threads;

  Http1Client(String host, int port, Duration connectTimeout) {
    this.host = host;
    this.port = port;
    this.hostHeader = ("Host: " + host + ":" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
    this.connectTimeout = connectTimeout;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "load-http-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Sends one request on a connection of its own thread; the future fails with {@link
   * TimeoutException} when no answer came within {@code timeout}, with another {@link IOException}
   * when the exchange broke.
   */
  CompletableFuture<Response> send(
      String method, String path, Map<String, String> headers, String body, Duration timeout) {
    byte[] request = encode(method, path, headers, body);
    CompletableFuture<Response> answer = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            answer.complete(exchange(request, timeout));
          } catch (IOException | RuntimeException e) {
            answer.completeExceptionally(e);
          }
        });
    return answer;
  }

  private Response exchange(byte[] request, Duration timeout) throws IOException {
    Connection reused = idle.pollFirst();
    if (reused != null) {
      try {
        return reused.exchange(request, timeout, this);
      } catch (StaleConnection e) {
        // the server closed a kept-alive connection before reading the request: a fresh one
      }
    }
    return new Connection(open(timeout)).exchange(request, timeout, this);
  }

  private Socket open(Duration timeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private byte[] encode(String method, String path, Map<String, String> headers, String body) {
    byte[] content = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path);
    head.append(" HTTP/1.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (content != null) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all =
        new byte[start.length + hostHeader.length + 2 + (content == null ? 0 : content.length)];
    System.arraycopy(start, 0, all, 0, start.length);
    System.arraycopy(hostHeader, 0, all, start.length, hostHeader.length);
    int at = start.length + hostHeader.length;
    all[at] = '\r';
    all[at + 1] = '\n';
    if (content != null) {
      System.arraycopy(content, 0, all, at + 2, content.length);
    }
    return all;
  }

  @Override
  public void close() {
    threads.shutdownNow();
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      c.closeQuietly();
    }
  }

  /** A kept-alive connection failed before any byte of the answer: safe to send again. */
  private static final class StaleConnection extends IOException {
    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private int uses;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    Response exchange(byte[] request, Duration timeout, Http1Client client) throws IOException {
      boolean keep = false;
      boolean started = false;
      try {
        socket.setSoTimeout((int) timeout.toMillis());
        out.write(request);
        out.flush();
        int first = in.read();
        if (first < 0) {
          throw new IOException("connection closed before an answer");
        }
        started = true;
        Head head = Head.read(first, in);
        String body = readBody(head);
        keep = head.keepAlive;
        uses++;
        return new Response(head.status, body, head.retryAfterSeconds);
      } catch (SocketTimeoutException e) {
        throw new TimeoutException("no answer within " + timeout.toMillis() + " ms");
      } catch (IOException e) {
        if (!started && uses > 0) {
          throw new StaleConnection(e);
        }
        throw e;
      } finally {
        if (keep) {
          client.idle.offerFirst(this);
        } else {
          closeQuietly();
        }
      }
    }

    private String readBody(Head head) throws IOException {
      if (head.status == 204 || head.status == 304 || head.status / 100 == 1) {
        return "";
      }
      if (head.chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
          String sizeLine = Head.line(in);
          int semi = sizeLine.indexOf(';');
          int size =
              Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            while (!Head.line(in).isEmpty()) {
              // trailers: none expected, skipped
            }
            return body.toString(StandardCharsets.UTF_8);
          }
          if (body.size() + size > MAX_BODY) {
            throw new IOException("answer body over " + MAX_BODY + " bytes");
          }
          body.write(in.readNBytes(size));
          Head.line(in);
        }
      }
      if (head.contentLength < 0) {
        // neither length nor chunks: the body ends with the connection
        head.keepAlive = false;
        return new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
      }
      if (head.contentLength > MAX_BODY) {
        throw new IOException("answer body of " + head.contentLength + " bytes");
      }
      byte[] body = in.readNBytes((int) head.contentLength);
      if (body.length < head.contentLength) {
        throw new IOException("connection closed in the middle of an answer");
      }
      return new String(body, StandardCharsets.UTF_8);
    }

    void closeQuietly() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** The status line and the headers the client needs. */
  static final class Head {
    int status;
    long contentLength = -1;
    boolean chunked;
    boolean keepAlive = true;
    int retryAfterSeconds = -1;

    static Head read(int first, InputStream in) throws IOException {
      Head head = new Head();
      String status = (char) first + line(in);
      // HTTP/1.1 200 OK
      if (!status.startsWith("HTTP/1.") || status.length() < 12) {
        throw new IOException("not an HTTP/1.x answer: " + status);
      }
      head.status = Integer.parseInt(status.substring(9, 12));
      head.keepAlive = status.startsWith("HTTP/1.1");
      int size = status.length();
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        size += header.length();
        if (size > MAX_HEAD) {
          throw new IOException("answer head over " + MAX_HEAD + " bytes");
        }
        int colon = header.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = header.substring(0, colon).trim();
        String value = header.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          head.contentLength = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          head.chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        } else if (name.equalsIgnoreCase("Retry-After") && value.matches("\\d{1,6}")) {
          head.retryAfterSeconds = Integer.parseInt(value);
        } else if (name.equalsIgnoreCase("Connection")) {
          String v = value.toLowerCase(java.util.Locale.ROOT);
          if (v.contains("close")) {
            head.keepAlive = false;
          } else if (v.contains("keep-alive")) {
            head.keepAlive = true;
          }
        }
      }
      return head;
    }

    /** One line without its CRLF; fails at the end of the stream. */
    static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder(64);
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed in the middle of an answer");
        }
        if (b == '\n') {
          int end = line.length();
          if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
          }
          return line.toString();
        }
        if (line.length() > MAX_HEAD) {
          throw new IOException("answer line over " + MAX_HEAD + " bytes");
        }
        line.append((char) b);
      }
    }
  }
}
