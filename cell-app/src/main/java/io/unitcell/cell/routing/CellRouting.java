package io.unitcell.cell.routing;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.unitcell.topology.RoutingTableFile;
import io.unitcell.topology.RoutingTableFile.Result;
import io.unitcell.topology.RoutingTableHolder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** This cell's name and its newest routing table, polled from the configured file. */
@ApplicationScoped
public class CellRouting {

  private static final Logger LOG = Logger.getLogger(CellRouting.class);

  private final String cell;
  private final RoutingTableHolder holder = new RoutingTableHolder();
  private final RoutingTableFile file;
  private final Duration poll;
  private ScheduledExecutorService poller;

  CellRouting(
      @ConfigProperty(name = "unitcell.cell.name") String cell,
      @ConfigProperty(name = "unitcell.routing-table.file") Path file,
      @ConfigProperty(name = "unitcell.routing-table.poll") Duration poll) {
    this.cell = cell;
    this.file = new RoutingTableFile(file, holder);
    this.poll = poll;
  }

  void start(@Observes StartupEvent event) {
    reload();
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "routing-table-poll");
              thread.setDaemon(true);
              return thread;
            });
    poller.scheduleWithFixedDelay(
        this::reload, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** Reads the table file now if it changed. */
  public Result reload() {
    Result result = file.poll();
    switch (result.outcome()) {
      case APPLIED -> LOG.infof("routing table applied: %s", result.detail());
      case INVALID, MISSING, IGNORED_NOT_NEWER ->
          LOG.warnf("routing table not applied (%s): %s", result.outcome(), result.detail());
      default -> {}
    }
    return result;
  }

  public String cell() {
    return cell;
  }

  public RoutingTableHolder tables() {
    return holder;
  }

  /** Whether this cell may write {@code userId}'s data now. */
  public WriteGuard.Decision checkWrite(String userId) {
    return WriteGuard.check(holder.current(), cell, userId);
  }
}
