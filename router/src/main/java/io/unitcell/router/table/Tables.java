package io.unitcell.router.table;

import io.unitcell.router.metrics.RouterMetrics;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.RoutingTableHolder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The routing table in use and where it comes from. Epochs only move forward: a table that is not
 * newer than the one in use is ignored (and counted), so a stale source can never undo a fence.
 * Reading happens on one thread of its own, never on an event loop.
 */
public final class Tables implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Tables.class);

  private final RoutingTableHolder holder = new RoutingTableHolder();
  private final List<Consumer<RoutingTable>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "routing-table");
            thread.setDaemon(true);
            return thread;
          });
  private final RouterMetrics metrics;
  private TableSource source;
  private CompletableFuture<Void> reading;
  private volatile String lastProblem;

  public Tables(RouterMetrics metrics) {
    this.metrics = metrics;
  }

  /** Called with each table that is applied, on the reading thread. */
  public void onApplied(Consumer<RoutingTable> listener) {
    listeners.add(listener);
  }

  /** Reads the first table (blocking) and follows the source. */
  public void start(TableSource tableSource) {
    this.source = tableSource;
    CompletableFuture.runAsync(() -> tableSource.start(this), executor).join();
  }

  /** The table in use, or null before the first. */
  public RoutingTable current() {
    return holder.current();
  }

  public long epoch() {
    return holder.epoch();
  }

  public String source() {
    return source == null ? "none" : source.describe();
  }

  /**
   * Reads the source again now (after a cell said 421). Calls while a read is under way share it.
   */
  public synchronized CompletableFuture<Void> refresh() {
    if (reading == null || reading.isDone()) {
      reading = CompletableFuture.runAsync(() -> source.readNow(this), executor);
    }
    return reading;
  }

  /** Runs {@code task} every {@code every} on the table thread (off the event loops). */
  public void every(java.time.Duration every, Runnable task) {
    executor.scheduleWithFixedDelay(
        task, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  ScheduledExecutorService executor() {
    return executor;
  }

  /** A table read from {@code origin}: applied when newer. */
  public void offer(RoutingTable table, String origin) {
    long before = holder.epoch();
    if (!holder.offer(table)) {
      if (table.epoch() < before) {
        offerStale("epoch " + table.epoch() + " is older than epoch " + before, origin);
      }
      return;
    }
    lastProblem = null;
    metrics.tableEpoch(table.epoch());
    metrics.tableUpdate("applied");
    LOG.infof(
        "routing table epoch %d applied (was %d) from %s: %d slots, %d cells",
        table.epoch(), before, origin, table.slotCount(), table.cells().size());
    for (Consumer<RoutingTable> listener : listeners) {
      try {
        listener.accept(table);
      } catch (RuntimeException e) {
        LOG.errorf(e, "a listener failed on routing table epoch %d", table.epoch());
      }
    }
  }

  void offerStale(String detail, String origin) {
    metrics.tableUpdate("stale");
    LOG.warnf("routing table from %s ignored: %s", origin, detail);
  }

  void invalid(String detail) {
    metrics.tableUpdate("invalid");
    if (firstTime(detail)) {
      LOG.errorf("routing table rejected, epoch %d stays in use: %s", holder.epoch(), detail);
    }
  }

  void missing(String detail) {
    metrics.tableUpdate("missing");
    if (firstTime(detail)) {
      LOG.warnf("routing table not read, epoch %d stays in use: %s", holder.epoch(), detail);
    }
  }

  // the same problem seen on every poll is logged once, until a table applies or it changes
  private boolean firstTime(String problem) {
    boolean first = !problem.equals(lastProblem);
    lastProblem = problem;
    return first;
  }

  @Override
  public void close() {
    if (source != null) {
      source.close();
    }
    executor.shutdownNow();
  }
}
