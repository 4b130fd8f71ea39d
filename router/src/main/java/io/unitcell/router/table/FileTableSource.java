package io.unitcell.router.table;

import io.unitcell.topology.RoutingTableFile;
import io.unitcell.topology.RoutingTableFile.Result;
import io.unitcell.topology.RoutingTableHolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A table file (the local runtime's, or a mounted ConfigMap), polled for changes. */
public final class FileTableSource implements TableSource {

  private final Path file;
  private final Duration poll;
  private final RoutingTableHolder reader = new RoutingTableHolder();
  private final RoutingTableFile tableFile;
  private ScheduledFuture<?> polling;

  public FileTableSource(Path file, Duration poll) {
    this.file = file;
    this.poll = poll;
    // the file reader keeps its own holder only to detect changes; Tables decides what applies
    this.tableFile = new RoutingTableFile(file, reader);
  }

  @Override
  public void start(Tables tables) {
    readNow(tables);
    polling =
        tables
            .executor()
            .scheduleWithFixedDelay(
                () -> readNow(tables), poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void readNow(Tables tables) {
    Result result = tableFile.poll();
    switch (result.outcome()) {
      case APPLIED -> tables.offer(reader.current(), describe());
      case IGNORED_NOT_NEWER -> tables.offerStale(result.detail(), describe());
      case INVALID -> tables.invalid(result.detail());
      case MISSING -> tables.missing(result.detail());
      default -> {}
    }
  }

  @Override
  public String describe() {
    return "file " + file;
  }

  @Override
  public void close() {
    if (polling != null) {
      polling.cancel(false);
    }
  }
}
