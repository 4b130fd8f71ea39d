package io.unitcell.cell.flashsale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.cache.OrderCache;
import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.degrade.Switches.Switch;
import io.unitcell.cell.notify.Notifier;
import io.unitcell.cell.order.DatabaseFailures;
import io.unitcell.cell.order.NewOrder;
import io.unitcell.cell.order.OrderId;
import io.unitcell.cell.order.OrderService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;

/**
 * Moves accepted flash-sale orders from the pipeline into the database, at most {@code
 * unitcell.flash-sale.persist-rate} orders per second per instance (the peak is absorbed by the
 * pipeline, not by the shards). Each order is stored (idempotently, under the id its buyer was
 * given), then its cache entries are invalidated, then it leaves the pipeline; a crash anywhere in
 * between leaves it in the pipeline, and storing it again changes nothing. Several instances of a
 * cell may drain the same pipeline for the same reason.
 *
 * <p>Metrics: {@code unitcell_flash_sale_backlog} (orders waiting) and {@code
 * unitcell_flash_sale_persisted_total}.
 */
@ApplicationScoped
public class FlashSaleWorker {

  private static final Logger LOG = Logger.getLogger(FlashSaleWorker.class);

  /** Waits between polls of an empty pipeline: doubling from the first to the last. */
  static final long IDLE_MIN_MILLIS = 200;

  static final long IDLE_MAX_MILLIS = 2_000;

  /** How often the backlog gauge asks the server for the pipeline's size while it is not empty. */
  private static final long BACKLOG_EVERY_NANOS = 1_000_000_000L;

  private final FlashSalePipeline pipeline;
  private final OrderService orders;
  private final OrderCache cache;
  private final Notifier notifier;
  private final Switches switches;
  private final double ratePerSecond;
  private final int batch;
  private final AtomicLong backlog = new AtomicLong();
  private final Counter persisted;
  private final Counter failed;
  private final java.util.Set<Long> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean running;
  private Thread thread;
  private final Object signal = new Object();
  private final Object switched = new Object();
  private boolean woken;
  private long idleMillis = IDLE_MIN_MILLIS;
  private long backlogAsked;

  FlashSaleWorker(
      FlashSalePipeline pipeline,
      OrderService orders,
      OrderCache cache,
      Notifier notifier,
      Switches switches,
      MeterRegistry registry,
      @ConfigProperty(name = "unitcell.flash-sale.persist-rate") double ratePerSecond,
      @ConfigProperty(name = "unitcell.flash-sale.batch") int batch) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("unitcell.flash-sale.persist-rate must be positive");
    }
    this.pipeline = pipeline;
    this.orders = orders;
    this.cache = cache;
    this.notifier = notifier;
    this.switches = switches;
    this.ratePerSecond = ratePerSecond;
    this.batch = batch;
    Gauge.builder("unitcell.flash.sale.backlog", backlog, AtomicLong::get)
        .description("Accepted flash-sale orders not yet in the database")
        .register(registry);
    this.persisted =
        Counter.builder("unitcell.flash.sale.persisted")
            .description("Flash-sale orders moved from the pipeline into the database")
            .register(registry);
    this.failed =
        Counter.builder("unitcell.flash.sale.failed")
            .description("Flash-sale orders that could not be stored (they stay queued)")
            .register(registry);
  }

  void start(@Observes StartupEvent event) {
    running = true;
    pipeline.onAccepted(this::wake);
    switches.onChange(Switch.PIPELINE, this::pipelineSwitched);
    thread = new Thread(this::run, "flash-sale-worker");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(5_000);
    }
  }

  /** Orders waiting, as last seen. */
  public long backlog() {
    return backlog.get();
  }

  private void run() {
    double tokens = 0;
    long last = System.nanoTime();
    while (running) {
      try {
        long now = System.nanoTime();
        tokens = Math.min(batch, tokens + (now - last) / 1e9 * ratePerSecond);
        last = now;
        if (!switches.isOn(Switch.PIPELINE)) {
          backlog.set(pipeline.backlog());
          awaitPipelineOn();
          continue;
        }
        int allowed = (int) tokens;
        int stored = allowed == 0 ? 0 : drain(allowed);
        tokens -= stored;
        if (allowed == 0) {
          Thread.sleep(waitForToken(tokens));
        } else if (stored == 0) {
          idle();
        } else if (stored < allowed) {
          idleMillis = IDLE_MIN_MILLIS;
          idle();
        } else {
          idleMillis = IDLE_MIN_MILLIS;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warnf("flash-sale pipeline paused: %s", e.toString());
        sleepQuietly(1_000);
      }
    }
  }

  /** The pipeline switch moved: a worker held by it looks again at once. */
  private void pipelineSwitched() {
    synchronized (switched) {
      switched.notifyAll();
    }
  }

  /**
   * While the pipeline is switched off: waits until it is switched on, at most {@link
   * #IDLE_MAX_MILLIS} (then the backlog gauge is refreshed). Accepted orders do not wake it.
   */
  private void awaitPipelineOn() throws InterruptedException {
    synchronized (switched) {
      if (!switches.isOn(Switch.PIPELINE)) {
        switched.wait(IDLE_MAX_MILLIS);
      }
    }
  }

  /** This instance accepted an order: drain now rather than at the next poll. */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /**
   * Waits for an accepted order or the next poll, whichever comes first; polls of a pipeline that
   * stays empty come less and less often (orders accepted by another instance are found by that
   * instance's worker at once, and by this one at the latest after {@link #IDLE_MAX_MILLIS}).
   */
  private void idle() throws InterruptedException {
    synchronized (signal) {
      if (!woken) {
        signal.wait(idleMillis);
      }
      if (woken) {
        idleMillis = IDLE_MIN_MILLIS;
      } else {
        idleMillis = Math.min(IDLE_MAX_MILLIS, idleMillis * 2);
      }
      woken = false;
    }
  }

  private long waitForToken(double tokens) {
    return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerSecond * 1000));
  }

  private int drain(int max) {
    List<PendingOrder> next;
    try {
      next = pipeline.next(max);
      long now = System.nanoTime();
      if (next.isEmpty()) {
        backlog.set(0);
      } else if (now - backlogAsked >= BACKLOG_EVERY_NANOS) {
        backlog.set(pipeline.backlog());
        backlogAsked = now;
      }
    } catch (CacheUnavailableException e) {
      LOG.debugf("pipeline unreachable: %s", e.getMessage());
      sleepQuietly(500);
      return 0;
    }
    int stored = 0;
    for (PendingOrder pending : next) {
      OrderService.Creation creation;
      try {
        creation = store(pending);
      } catch (RuntimeException e) {
        if (isOutage(e)) {
          throw e; // the database or the cache is down: pause the whole pipeline
        }
        // this order cannot be stored: keep it queued (never dropped), let the others pass
        if (failing.add(pending.orderId())) {
          failed.increment();
          LOG.errorf(e, "flash-sale order %d cannot be stored; it stays queued", pending.orderId());
        }
        continue;
      }
      failing.remove(pending.orderId());
      cache.invalidate(
          OrderCache.orderKey(pending.userId(), pending.orderId()),
          OrderCache.firstPageKey(pending.userId()));
      pipeline.done(pending);
      persisted.increment();
      backlog.decrementAndGet();
      stored++;
      if (creation.created()) {
        notifier.orderChanged(creation.order());
      }
    }
    return stored;
  }

  private static boolean isOutage(Throwable e) {
    return DatabaseFailures.unavailable(e)
        || e instanceof CacheUnavailableException
        || e instanceof FaultToleranceException;
  }

  private OrderService.Creation store(PendingOrder pending) {
    return orders.persistAccepted(
        new OrderId(pending.orderId()),
        pending.userId(),
        pending.requestHash(),
        new NewOrder(
            pending.currency(),
            List.of(
                new NewOrder.Line(pending.sku(), pending.quantity(), pending.unitPriceCents()))));
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
