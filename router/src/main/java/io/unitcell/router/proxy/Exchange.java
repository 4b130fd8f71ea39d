package io.unitcell.router.proxy;

import io.netty.util.AsciiString;
import io.unitcell.router.auth.AuthException;
import io.unitcell.router.limit.RateLimits.Refusal;
import io.unitcell.router.upstream.CellTarget;
import io.unitcell.router.upstream.Endpoint;
import io.unitcell.router.upstream.Upstreams.Routing;
import io.unitcell.topology.CellState;
import io.unitcell.topology.SlotHash;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One request through the router, on one event loop from start to end (no locks, no blocking):
 * identity, block lists, slot and cell, rate limits, body (bounded), then the cell's endpoint, with
 * one re-route after a {@code 421} and retries on another endpoint when that is safe.
 */
final class Exchange {

  private static final Logger LOG = Logger.getLogger(Exchange.class);

  static final AsciiString EPOCH_HEADER = AsciiString.cached("X-Unitcell-Router-Epoch");
  static final AsciiString SECRET_HEADER = AsciiString.cached("X-Unitcell-Router-Secret");
  static final AsciiString CELL_EPOCH_HEADER = AsciiString.cached("X-Unitcell-Epoch");
  static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("Idempotency-Key");
  static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  static final AsciiString WWW_AUTHENTICATE = AsciiString.cached("WWW-Authenticate");
  static final AsciiString HOST = AsciiString.cached("Host");
  static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");

  /** Endpoints tried at most per request (a failed connection costs nothing to retry). */
  private static final int MAX_ATTEMPTS = 3;

  private final Proxy proxy;
  private final ProxyVerticle loop;
  private final HttpServerRequest request;
  private final long started = System.nanoTime();

  private String user;
  private String clientIp;
  private int slotCount;
  private int slot;
  private RouteClass route;
  private CellTarget target;
  private String epochText;
  private Buffer body;
  private boolean tooLarge;
  private MultiMap upstreamHeaders;
  private int attempts;
  private Endpoint failed;
  private boolean rerouted;
  private boolean held;
  private long holdTimer = -1;

  Exchange(Proxy proxy, ProxyVerticle loop, HttpServerRequest request) {
    this.proxy = proxy;
    this.loop = loop;
    this.request = request;
  }

  void start() {
    String path = request.path();
    if (path.startsWith("/admin") || path.startsWith("/q/")) {
      // the cells' operations and probes are for operators on the cells' own ports
      reject(404, "not a user API path", "not_routed", 0);
      return;
    }
    clientIp = request.remoteAddress().hostAddress();
    if (proxy.blocks.isIpBlocked(clientIp)) {
      reject(403, "client address is blocked", "blocked_ip", 0);
      return;
    }
    try {
      user =
          proxy.identity.userOf(
              request.getHeader(HttpHeaders.AUTHORIZATION), request.getHeader(proxy.userHeader));
    } catch (AuthException e) {
      unauthorized(e.getMessage());
      return;
    }
    if (proxy.blocks.isUserBlocked(user)) {
      reject(403, "user is blocked", "blocked_user", 0);
      return;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.length() > 0 && tooLong(length)) {
      tooLarge = true;
      reject(413, "request body is larger than " + proxy.maxBody + " bytes", "too_large", 0);
      return;
    }
    Routing routing = proxy.upstreams.routing();
    if (routing == null) {
      reject(503, "no routing table yet", "no_table", 1);
      return;
    }
    resolve(routing);
    route = RouteClass.of(request.method(), path);
    Refusal refusal = proxy.limits.check(user, target.name());
    if (refusal != null) {
      reject(
          429,
          refusal == Refusal.USER
              ? "too many requests for this user"
              : "too many requests for cell " + target.name(),
          refusal == Refusal.USER ? "rate_limit_user" : "rate_limit_cell",
          1);
      return;
    }
    request.handler(this::onData);
    request.endHandler(v -> onEnd());
  }

  private boolean tooLong(String contentLength) {
    try {
      return Long.parseLong(contentLength) > proxy.maxBody;
    } catch (NumberFormatException e) {
      return false; // Netty has already refused a malformed length
    }
  }

  private void onData(Buffer chunk) {
    if (tooLarge) {
      return;
    }
    if (body == null) {
      body = Buffer.buffer(chunk.length());
    }
    body.appendBuffer(chunk);
    if (body.length() > proxy.maxBody) {
      tooLarge = true;
      body = null;
      reject(413, "request body is larger than " + proxy.maxBody + " bytes", "too_large", 0);
    }
  }

  private void onEnd() {
    if (!tooLarge) {
      dispatch();
    }
  }

  private void resolve(Routing routing) {
    epochText = routing.epochText();
    int slots = routing.table().slotCount();
    if (slots != slotCount) {
      slotCount = slots;
      slot = SlotHash.slotOf(user, slots);
    }
    target = routing.cellOfSlot(slot);
  }

  /** Sends the request by the routing in use now (again, after a hold or a 421). */
  private void dispatch() {
    resolve(proxy.upstreams.routing());
    CellState state = target.state();
    if (state == CellState.DOWN) {
      reject(503, "cell " + target.name() + " is down", "cell_down", 1);
    } else if (state == CellState.FENCED && isWrite()) {
      hold();
    } else {
      forward();
    }
  }

  private boolean isWrite() {
    HttpMethod method = request.method();
    return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
  }

  /** Whether sending the request twice does no harm. */
  private boolean isIdempotent() {
    HttpMethod method = request.method();
    return method == HttpMethod.GET
        || method == HttpMethod.HEAD
        || method == HttpMethod.OPTIONS
        || method == HttpMethod.PUT
        || method == HttpMethod.DELETE
        || request.getHeader(IDEMPOTENCY_KEY) != null;
  }

  // ---- fenced cells: hold writes until a table lets them through, or the bound is reached

  private void hold() {
    if (!proxy.fenced.tryHold(this)) {
      reject(
          503,
          "cell "
              + target.name()
              + " is fenced (a switchover is under way) and too many writes wait",
          "fenced_full",
          1);
      return;
    }
    held = true;
    holdTimer =
        loop.getVertx()
            .setTimer(
                proxy.fencedHoldMillis,
                id -> {
                  if (held) {
                    held = false;
                    proxy.fenced.release(this);
                    reject(
                        503,
                        "cell "
                            + target.name()
                            + " is fenced (a switchover is under way); retry shortly",
                        "fenced_timeout",
                        1);
                  }
                });
  }

  /** Called on this exchange's event loop after a newer table applied. */
  void recheckHold() {
    if (!held) {
      return;
    }
    Routing routing = proxy.upstreams.routing();
    if (routing.cellOfSlot(SlotHash.slotOf(user, routing.table().slotCount())).state()
        == CellState.FENCED) {
      return;
    }
    held = false;
    loop.getVertx().cancelTimer(holdTimer);
    proxy.fenced.release(this);
    dispatch();
  }

  void onLoop(Runnable action) {
    loop.context().runOnContext(v -> action.run());
  }

  // ---- upstream

  private void forward() {
    Endpoint endpoint = target.pick(System.nanoTime(), failed);
    if (endpoint == null) {
      reject(503, "cell " + target.name() + " has no endpoint to send to", "no_endpoint", 1);
      return;
    }
    attempts++;
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI(request.uri())
            .setHeaders(upstreamHeaders())
            .setIdleTimeout(proxy.upstreamTimeoutMillis);
    loop.client()
        .request(options)
        .onComplete(
            connected -> {
              if (connected.failed()) {
                onFailure(endpoint, connected.cause(), false);
                return;
              }
              HttpClientRequest upstream = connected.result();
              Future<HttpClientResponse> sent =
                  body == null ? upstream.send() : upstream.send(body);
              sent.onComplete(answer -> onAnswer(endpoint, answer));
            });
  }

  private MultiMap upstreamHeaders() {
    if (upstreamHeaders != null) {
      return upstreamHeaders;
    }
    MultiMap headers = HttpHeaders.headers();
    String forwardedFor = null;
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey();
      if (Headers.isHopByHop(name)
          || Headers.isOneOf(name, proxy.userHeader, SECRET_HEADER, HttpHeaders.AUTHORIZATION)
          || HOST.contentEqualsIgnoreCase(name)) {
        continue;
      }
      if (FORWARDED_FOR.contentEqualsIgnoreCase(name)) {
        forwardedFor = header.getValue();
        continue;
      }
      headers.add(name, header.getValue());
    }
    headers.set(proxy.userHeader, user);
    if (proxy.secret != null) {
      headers.set(SECRET_HEADER, proxy.secret);
    }
    headers.set(FORWARDED_FOR, forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
    upstreamHeaders = headers;
    return headers;
  }

  private void onAnswer(Endpoint endpoint, AsyncResult<HttpClientResponse> answer) {
    if (answer.failed()) {
      onFailure(endpoint, answer.cause(), true);
      return;
    }
    HttpClientResponse response = answer.result();
    if (response.statusCode() == 421) {
      response.body(); // read to the end so the connection goes back to the pool
      endpoint.onSuccess();
      misdirected(response.getHeader(CELL_EPOCH_HEADER));
      return;
    }
    response
        .body()
        .onComplete(
            payload -> {
              if (payload.failed()) {
                onFailure(endpoint, payload.cause(), true);
              } else {
                endpoint.onSuccess();
                respond(response, payload.result());
              }
            });
  }

  /** The cell says the user is not its to serve: read the table again, route once more. */
  private void misdirected(String cellEpoch) {
    if (rerouted) {
      reject(
          503,
          "cell "
              + target.name()
              + " refused the request twice (421, its epoch "
              + cellEpoch
              + ", ours "
              + epochText
              + "); retry shortly",
          "misdirected",
          1);
      return;
    }
    rerouted = true;
    failed = null;
    proxy.metrics.retry(target.name(), "misdirected");
    proxy.tables.refresh().whenComplete((done, error) -> onLoop(this::dispatch));
  }

  private void onFailure(Endpoint endpoint, Throwable cause, boolean sent) {
    String kind;
    if (cause instanceof ConnectionPoolTooBusyException) {
      kind = "busy";
    } else if (!sent) {
      kind = "connect";
    } else if (cause instanceof TimeoutException) {
      kind = "timeout";
    } else {
      kind = "broken";
    }
    String cell = target.name();
    proxy.metrics.upstreamFailure(cell, kind);
    if (!"busy".equals(kind) && endpoint.onFailure(System.nanoTime())) {
      proxy.metrics.ejected(cell);
      LOG.warnf(
          "endpoint %s of cell %s ejected for a while after %d failures in a row (last: %s %s)",
          endpoint, cell, proxy.ejectAfter, kind, cause.toString());
    }
    // a time-out is not retried: the request has already used the whole budget
    boolean safe = !sent || ("broken".equals(kind) && isIdempotent());
    if (safe && attempts < MAX_ATTEMPTS && target.endpoints().length > 1) {
      failed = endpoint;
      proxy.metrics.retry(cell, "endpoint_" + kind);
      dispatch();
      return;
    }
    switch (kind) {
      case "timeout" ->
          reject(
              504,
              "cell " + cell + " did not answer within " + proxy.upstreamTimeoutMillis + " ms",
              "upstream_timeout",
              0);
      case "busy" -> reject(503, "cell " + cell + " has too many requests waiting", "busy", 1);
      default -> reject(502, "cell " + cell + " could not be reached (" + kind + ")", kind, 1);
    }
  }

  // ---- responses

  private void respond(HttpClientResponse upstream, Buffer payload) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    int status = upstream.statusCode();
    response.setStatusCode(status);
    MultiMap headers = response.headers();
    for (Map.Entry<String, String> header : upstream.headers()) {
      String name = header.getKey();
      if (!Headers.isHopByHop(name) && !CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
        headers.add(name, header.getValue());
      }
    }
    headers.set(EPOCH_HEADER, epochText);
    response.end(payload);
    target.meters().record(route, status, System.nanoTime() - started);
  }

  private void unauthorized(String reason) {
    request
        .response()
        .putHeader(
            WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\", error_description=\""
                + reason.replace('"', '\'')
                + "\"");
    reject(401, reason, "unauthenticated", 0);
  }

  private void reject(int status, String reason, String metricReason, long retryAfterSeconds) {
    String cell = target == null ? RouterMetrics.NO_CELL : target.name();
    proxy.metrics.rejected(cell, metricReason);
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status);
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (retryAfterSeconds > 0) {
      response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    if (epochText != null) {
      response.putHeader(EPOCH_HEADER, epochText);
    }
    if (tooLarge) {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    response.end(Headers.errorJson(status, reason));
    if (target != null && route != null) {
      target.meters().record(route, status, System.nanoTime() - started);
    }
  }
}
