package io.unitcell.router.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.unitcell.router.auth.Identity;
import io.unitcell.router.config.RouterConfig;
import io.unitcell.router.config.RouterConfig.AuthMode;
import io.unitcell.router.limit.BlockList;
import io.unitcell.router.limit.RateLimits;
import io.unitcell.router.metrics.RouterMetrics;
import io.unitcell.router.proxy.NettyProxy;
import io.unitcell.router.proxy.Proxy;
import io.unitcell.router.table.ConfigMapTableSource;
import io.unitcell.router.table.FileTableSource;
import io.unitcell.router.table.TableSource;
import io.unitcell.router.table.Tables;
import io.unitcell.router.upstream.HealthChecker;
import io.unitcell.router.upstream.Upstreams;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/** Puts the router together at start-up and takes it apart at shutdown. */
@ApplicationScoped
public class Router {

  private static final Logger LOG = Logger.getLogger(Router.class);

  private final RouterConfig config;
  private final Vertx vertx;
  private final MeterRegistry registry;
  private final Instance<KubernetesClient> kubernetes;

  private final BlockList blocks = new BlockList();
  private Tables tables;
  private Upstreams upstreams;
  private HealthChecker health;
  private NettyProxy netty;
  private volatile boolean serving;

  Router(
      RouterConfig config,
      Vertx vertx,
      MeterRegistry registry,
      Instance<KubernetesClient> kubernetes) {
    this.config = config;
    this.vertx = vertx;
    this.registry = registry;
    this.kubernetes = kubernetes;
  }

  void start(@Observes StartupEvent event) {
    Identity identity = Identity.of(config, Clock.systemUTC());
    if (identity.mode() == AuthMode.HEADER) {
      String line = "*".repeat(100);
      LOG.warnf(
          "%n%s%n*** DEVELOPMENT MODE: the user id is taken from the %s request header as sent."
              + "%n*** Anybody can act as any user. Never expose this router; set"
              + " unitcell.router.auth=jwt with a key.%n%s",
          line, config.userHeader(), line);
    }
    config.block().users().orElse(List.of()).forEach(blocks::blockUser);
    config.block().ips().orElse(List.of()).forEach(blocks::blockIp);

    AtomicReference<Proxy> proxyRef = new AtomicReference<>();
    RouterMetrics metrics =
        new RouterMetrics(registry, () -> proxyRef.get() == null ? 0 : proxyRef.get().heldWrites());
    upstreams =
        new Upstreams(
            metrics, config.upstream().ejectAfter(), config.upstream().ejectFor().toNanos());
    tables = new Tables(metrics);
    RateLimits limits = new RateLimits(config.limits(), System::nanoTime);
    Gauge.builder("unitcell.router.limits.users", limits, RateLimits::trackedUsers)
        .description("Users with a token bucket now (the others have a full one)")
        .register(registry);
    FunctionCounter.builder(
            "unitcell.router.limits.untracked", limits, RateLimits::untrackedRequests)
        .description("Requests not limited because too many users were tracked")
        .register(registry);
    Proxy proxy = new Proxy(config, identity, blocks, limits, upstreams, tables, metrics);
    proxyRef.set(proxy);
    tables.onApplied(
        table -> {
          upstreams.apply(table);
          proxy.tableApplied();
        });
    tables.start(source());
    tables.every(Duration.ofSeconds(5), limits::forgetFull);
    if (tables.current() == null) {
      LOG.warnf(
          "no routing table from %s yet: requests get 503 until one arrives", tables.source());
    }
    health = new HealthChecker(vertx, upstreams, config.health());
    health.start();

    int loops = config.eventLoops().orElse(Runtime.getRuntime().availableProcessors());
    NettyProxy server = new NettyProxy(proxy, loops);
    try {
      server.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the proxy port", e);
    }
    netty = server;
    serving = true;
    LOG.infof(
        "router listening on %s:%d with %d event loops (%s); auth %s; routing table epoch %d from"
            + " %s",
        config.host(),
        config.port(),
        loops,
        server.transportName(),
        identity.mode(),
        tables.epoch(),
        tables.source());
  }

  private TableSource source() {
    RouterConfig.Table table = config.table();
    if (table.file().isPresent() == table.configmap().isPresent()) {
      throw new IllegalStateException(
          "set exactly one routing table source: unitcell.router.table.file"
              + " (UNITCELL_ROUTING_TABLE) or unitcell.router.table.configmap"
              + " (UNITCELL_ROUTING_TABLE_CONFIGMAP, namespace/name)");
    }
    if (table.file().isPresent()) {
      return new FileTableSource(Path.of(table.file().get()), table.poll());
    }
    return new ConfigMapTableSource(
        kubernetes.get(), table.configmap().get(), table.configmapKey());
  }

  void stop(@Observes ShutdownEvent event) {
    serving = false;
    if (netty != null) {
      netty.close();
    }
    if (health != null) {
      health.close();
    }
    if (tables != null) {
      tables.close();
    }
  }

  /** Whether the proxy listens and has a table. */
  public boolean isReady() {
    return serving && tables.current() != null;
  }

  public Tables tables() {
    return tables;
  }

  public Upstreams upstreams() {
    return upstreams;
  }

  public BlockList blocks() {
    return blocks;
  }
}
