package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.unitcell.router.auth.AuthException;
import io.unitcell.router.limit.RateLimits.Refusal;
import io.unitcell.router.metrics.RouteClass;
import io.unitcell.router.metrics.RouterMetrics;
import io.unitcell.router.upstream.CellTarget;
import io.unitcell.router.upstream.Endpoint;
import io.unitcell.router.upstream.Upstreams.Routing;
import io.unitcell.topology.CellState;
import io.unitcell.topology.SlotHash;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One request through the router, on one event loop from start to end (no locks, no blocking):
 * identity, block lists, slot and cell, rate limits, then the cell's endpoint, with one re-route
 * after a {@code 421} and retries on another endpoint when that is safe.
 */
final class Exchange {

  private static final Logger LOG = Logger.getLogger(Exchange.class);

  /** Endpoints tried at most per request (a failed connection costs nothing to retry). */
  private static final int MAX_ATTEMPTS = 3;

  /** How a request to an endpoint went wrong. */
  enum Failure {
    /** No connection could be made: nothing was sent. */
    CONNECT("connect"),
    /** Too many requests already wait for this endpoint's connections: nothing was sent. */
    BUSY("busy"),
    /** The connection broke after the request was sent. */
    BROKEN("broken"),
    /** No answer within the budget. */
    TIMEOUT("timeout");

    final String label;

    Failure(String label) {
      this.label = label;
    }

    boolean nothingSent() {
      return this == CONNECT || this == BUSY;
    }
  }

  private final Proxy proxy;
  private final ClientConnection client;
  private final FullHttpRequest request;
  private final long started = System.nanoTime();
  private final boolean keepAlive;

  /** An HTTP/1.0 client asking for keep-alive: its answers say {@code Connection: keep-alive}. */
  private final boolean http10KeepAlive;

  long waitingSince;
  private String user;
  private int slotCount;
  private int slot;
  private RouteClass route;
  private CellTarget target;
  private String epochText;
  private ByteBuf upstreamHead;
  private ByteBuf upstreamBody;
  private int attempts;
  private Endpoint failed;
  private boolean rerouted;
  private boolean held;
  private boolean done;
  private ScheduledFuture<?> holdTimer;

  Exchange(Proxy proxy, ClientConnection client, FullHttpRequest request) {
    this.proxy = proxy;
    this.client = client;
    this.request = request;
    this.keepAlive = HttpUtil.isKeepAlive(request);
    this.http10KeepAlive = keepAlive && request.protocolVersion() == HttpVersion.HTTP_1_0;
  }

  void start() {
    String path = path(request.uri());
    if (path.startsWith("/admin") || path.startsWith("/q/")) {
      // the cells' operations and probes are for operators on the cells' own ports
      reject(404, "not a user API path", "not_routed", 0);
      return;
    }
    if (proxy.blocks.isIpBlocked(client.clientIp())) {
      reject(403, "client address is blocked", "blocked_ip", 0);
      return;
    }
    HttpHeaders headers = request.headers();
    try {
      user =
          proxy.identity.userOf(
              headers.get(HttpHeaderNames.AUTHORIZATION), headers.get(proxy.userHeader));
    } catch (AuthException e) {
      unauthorized(e.getMessage());
      return;
    }
    if (proxy.blocks.isUserBlocked(user)) {
      reject(403, "user is blocked", "blocked_user", 0);
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
    dispatch();
  }

  private static String path(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
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

  /** Sends the request by the routing in use now (again, after a hold, a 421 or a failure). */
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
        || request.headers().contains(Headers.IDEMPOTENCY_KEY);
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
        client.loop.eventLoop.schedule(
            () -> {
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
            },
            proxy.fencedHoldMillis,
            TimeUnit.MILLISECONDS);
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
    holdTimer.cancel(false);
    proxy.fenced.release(this);
    dispatch();
  }

  void onLoop(Runnable action) {
    client.loop.eventLoop.execute(action);
  }

  // ---- upstream

  private void forward() {
    Endpoint endpoint = target.pick(System.nanoTime(), failed);
    if (endpoint == null) {
      reject(503, "cell " + target.name() + " has no endpoint to send to", "no_endpoint", 1);
      return;
    }
    attempts++;
    client.loop.pool(endpoint).send(this);
  }

  /**
   * Writes the request to a cell's connection, as bytes: the client's request line (as HTTP/1.1)
   * and headers with the verified user, the router's secret and {@code X-Forwarded-For}, without
   * hop-by-hop headers and credentials, then the body with its length. The bytes are made once;
   * each attempt writes a duplicate, so a retry sends them whole.
   *
   * @param endpoint the endpoint of the first attempt: its address is the {@code Host} of a request
   *     that came without one (HTTP/1.0), as HTTP/1.1 requires one
   */
  void writeUpstream(Channel channel, Endpoint endpoint) {
    if (upstreamHead == null) {
      encodeUpstream(channel.alloc(), endpoint);
    }
    channel.write(upstreamHead.retainedDuplicate(), channel.voidPromise());
    if (upstreamBody != null) {
      channel.write(upstreamBody.retainedDuplicate(), channel.voidPromise());
    }
    channel.flush();
  }

  private void encodeUpstream(ByteBufAllocator alloc, Endpoint endpoint) {
    ByteBuf body = request.content();
    boolean inline = body.readableBytes() <= CellResponse.INLINE_BODY;
    upstreamHead =
        UpstreamRequest.encode(
            alloc,
            request,
            inline,
            proxy.userHeader,
            user,
            proxy.secret,
            client.clientIp(),
            endpoint.address());
    if (!inline) {
      upstreamBody = body.retainedDuplicate();
    }
  }

  /** Whether the request is a HEAD (its answer has no body). */
  boolean isHead() {
    return request.method() == HttpMethod.HEAD;
  }

  void onUpstreamResponse(Endpoint endpoint, CellResponse response) {
    endpoint.onSuccess();
    if (done) {
      response.release();
      return;
    }
    if (response.status == 421) {
      String cellEpoch = response.cellEpoch;
      response.release();
      misdirected(cellEpoch);
      return;
    }
    // the cell's head as it came, without hop-by-hop headers, plus the epoch and the length
    ByteBuf head = response.headForClient(epochText, !keepAlive, http10KeepAlive);
    finish(response.status, head, response.bodyAfterHead());
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
    proxy.tables.refresh().whenComplete((ignored, error) -> onLoop(this::dispatch));
  }

  void onUpstreamFailure(Endpoint endpoint, Failure failure) {
    String cell = target.name();
    proxy.metrics.upstreamFailure(cell, failure.label);
    if (failure != Failure.BUSY && endpoint.onFailure(System.nanoTime())) {
      proxy.metrics.ejected(cell);
      LOG.warnf(
          "endpoint %s of cell %s ejected for a while after %d failures in a row (last: %s)",
          endpoint, cell, proxy.ejectAfter, failure.label);
    }
    if (done) {
      return;
    }
    // a time-out is not retried: the request has already used the whole budget
    boolean safe = failure.nothingSent() || (failure == Failure.BROKEN && isIdempotent());
    if (safe && attempts < MAX_ATTEMPTS && target.endpoints().length > 1) {
      failed = endpoint;
      proxy.metrics.retry(cell, "endpoint_" + failure.label);
      dispatch();
      return;
    }
    switch (failure) {
      case TIMEOUT ->
          reject(
              504,
              "cell "
                  + cell
                  + " did not answer within "
                  + TimeUnit.NANOSECONDS.toMillis(proxy.upstreamTimeoutNanos)
                  + " ms",
              "upstream_timeout",
              0);
      case BUSY -> reject(503, "cell " + cell + " has too many requests waiting", "busy", 1);
      default ->
          reject(
              502,
              "cell " + cell + " could not be reached (" + failure.label + ")",
              failure.label,
              1);
    }
  }

  /** The client went away: nothing more is sent to it. */
  void clientGone() {
    if (held) {
      held = false;
      holdTimer.cancel(false);
      proxy.fenced.release(this);
    }
    done = true;
    releaseRequest();
  }

  // ---- answers

  private void releaseRequest() {
    request.release();
    if (upstreamHead != null) {
      upstreamHead.release();
      upstreamHead = null;
    }
    if (upstreamBody != null) {
      upstreamBody.release();
      upstreamBody = null;
    }
  }

  private void finish(FullHttpResponse response) {
    if (done) {
      response.release();
      return;
    }
    int status = response.status().code();
    if (http10KeepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    finish(status, Responses.encode(client.alloc(), response, isHead()), null);
  }

  private void finish(int status, ByteBuf answer, ByteBuf rest) {
    done = true;
    releaseRequest();
    client.finish(this, answer, rest, keepAlive);
    if (route != null) {
      target.meters().record(route, status, System.nanoTime() - started);
    }
  }

  private void unauthorized(String reason) {
    FullHttpResponse response = Responses.error(401, reason, 0, null, keepAlive);
    response
        .headers()
        .set(
            HttpHeaderNames.WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\", error_description=\""
                + reason.replace('"', '\'')
                + "\"");
    proxy.metrics.rejected(RouterMetrics.NO_CELL, "unauthenticated");
    finish(response);
  }

  private void reject(int status, String reason, String metricReason, long retryAfterSeconds) {
    proxy.metrics.rejected(target == null ? RouterMetrics.NO_CELL : target.name(), metricReason);
    finish(Responses.error(status, reason, retryAfterSeconds, epochText, keepAlive));
  }
}
