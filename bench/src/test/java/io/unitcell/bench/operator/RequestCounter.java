package io.unitcell.bench.operator;

import static io.unitcell.bench.operator.OperatorScaleIT.TOPOLOGY;
import static io.unitcell.bench.operator.OperatorScaleIT.WRITES;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.unitcell.bench.operator.RequestCounter.Request;
import io.unitcell.operator.naming.TableNames;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Counts the requests a client sends, through a fabric8 HTTP interceptor. */
final class RequestCounter implements Interceptor {

  /** An HTTP request the operator's client sent. */
  static final class Request {
    private static final ObjectMapper JSON = new ObjectMapper();
    final long nanos = System.nanoTime();
    final String method;
    final URI uri;
    final String resource;
    final String name;
    final boolean watch;
    volatile int status;

    Request(String method, URI uri, String body) {
      this.method = method;
      this.uri = uri;
      this.watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
      // /api/v1/namespaces/NS/PLURAL/NAME/SUB or /apis/GROUP/VERSION/namespaces/NS/PLURAL/NAME/SUB
      List<String> path =
          Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
      List<String> rest =
          path.size() < 2
              ? List.of()
              : path.subList(path.get(0).equals("api") ? 2 : 3, path.size());
      if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
        rest = rest.subList(2, rest.size());
      }
      this.resource =
          rest.isEmpty() ? uri.getPath() : rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
      this.name = rest.size() > 1 ? rest.get(1) : createdName(method, body);
    }

    private static String createdName(String method, String body) {
      if (!method.equals("POST") || body == null) {
        return null;
      }
      try {
        String name = JSON.readTree(body).path("metadata").path("name").asText(null);
        return name == null || name.isEmpty() ? null : name;
      } catch (java.io.IOException e) {
        return null;
      }
    }

    long nanos() {
      return nanos;
    }

    boolean write() {
      return WRITES.contains(method);
    }

    boolean watch() {
      return watch;
    }

    boolean failed() {
      return status >= 400;
    }

    boolean isTable() {
      return resource.equals("configmaps")
          && name != null
          && name.equals(TableNames.configMap(TOPOLOGY));
    }

    String label() {
      String verb =
          watch ? "WATCH" : method.equals("GET") ? (name == null ? "LIST" : "GET") : method;
      return verb + " " + resource;
    }

    String refusal() {
      return label() + " -> " + status;
    }

    String describe() {
      return method
          + " "
          + uri.getPath()
          + (uri.getQuery() == null ? "" : "?" + uri.getQuery())
          + " -> "
          + status;
    }
  }

  // ties a response to its request: the request the interceptors see is rebuilt before sending
  private static final String TAG = "X-Unitcell-Request";
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Request> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    Request counted = new Request(request.method(), request.uri(), request.bodyString());
    String tag = Long.toString(sequence.incrementAndGet());
    builder.setHeader(TAG, tag);
    requests.add(counted);
    inFlight.put(tag, counted);
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    String tag = request.header(TAG);
    Request counted = tag == null ? null : inFlight.remove(tag);
    if (counted != null) {
      counted.status = response.code();
    }
  }

  int size() {
    return requests.size();
  }

  List<Request> since(int mark) {
    synchronized (requests) {
      return List.copyOf(requests.subList(mark, requests.size()));
    }
  }

  /** When the last request since {@code mark} matching {@code counted} was sent. */
  long lastNanos(int mark, Predicate<Request> counted) {
    return since(mark).stream().filter(counted).mapToLong(Request::nanos).max().orElse(0);
  }
}
