package io.unitcell.router.proxy;

import io.unitcell.router.auth.Identity;
import io.unitcell.router.config.RouterConfig;
import io.unitcell.router.limit.BlockList;
import io.unitcell.router.limit.RateLimits;
import io.unitcell.router.metrics.RouterMetrics;
import io.unitcell.router.table.Tables;
import io.unitcell.router.upstream.Upstreams;

/** What every event loop of the proxy shares: settings, identity, limits, routing, metrics. */
public final class Proxy {

  final RouterConfig config;
  final Identity identity;
  final BlockList blocks;
  final RateLimits limits;
  final Upstreams upstreams;
  final Tables tables;
  final RouterMetrics metrics;
  final FencedHold fenced;
  final String userHeader;
  final String secret;
  final long maxBody;
  final long upstreamTimeoutNanos;
  final int connectTimeoutMillis;
  final int poolSize;
  final int waitQueue;
  final long fencedHoldMillis;
  final int ejectAfter;

  public Proxy(
      RouterConfig config,
      Identity identity,
      BlockList blocks,
      RateLimits limits,
      Upstreams upstreams,
      Tables tables,
      RouterMetrics metrics) {
    this.config = config;
    this.identity = identity;
    this.blocks = blocks;
    this.limits = limits;
    this.upstreams = upstreams;
    this.tables = tables;
    this.metrics = metrics;
    this.fenced = new FencedHold(config.fenced().maxHeld());
    this.userHeader = config.userHeader();
    this.secret = config.secret().filter(s -> !s.isBlank()).orElse(null);
    this.maxBody = config.upstream().maxBodySize().asLongValue();
    this.upstreamTimeoutNanos = config.upstream().timeout().toNanos();
    this.connectTimeoutMillis = (int) config.upstream().connectTimeout().toMillis();
    this.poolSize = config.upstream().poolSize();
    this.waitQueue = config.upstream().waitQueue();
    this.fencedHoldMillis = config.fenced().hold().toMillis();
    this.ejectAfter = config.upstream().ejectAfter();
  }

  /** A newer table is in use: waiting writes look again. */
  public void tableApplied() {
    fenced.tableApplied();
  }

  public int heldWrites() {
    return fenced.held();
  }
}
