package io.unitcell.local.switchover;

import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.Switchover;
import io.unitcell.topology.Switchover.Action;
import io.unitcell.topology.Switchover.Alert;
import io.unitcell.topology.Switchover.EpochReport;
import io.unitcell.topology.Switchover.Finished;
import io.unitcell.topology.Switchover.Input;
import io.unitcell.topology.Switchover.Outcome;
import io.unitcell.topology.Switchover.Phase;
import io.unitcell.topology.Switchover.PublishTable;
import io.unitcell.topology.Switchover.Reparent;
import io.unitcell.topology.Switchover.Step;
import io.unitcell.topology.Switchover.TabletPosition;
import io.unitcell.topology.Switchover.WatchReplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries out one cell's switchover with the local processes: the same state machine as on
 * Kubernetes ({@link Switchover}), fed with the epochs the router and the cell's instances report
 * ({@code GET /admin/table}), the replication positions of the cell's tablets (vtctld), and the
 * results of Vitess reparents; its tables are published to the routing-table file.
 */
public final class LocalSwitchover {

  /** What the supervisor lends a switchover. */
  public interface Runtime {
    /**
     * Computes a step from the table in force and publishes the table it names, atomically with
     * respect to any other table change; returns the step.
     */
    Step step(java.util.function.Function<RoutingTable, Step> next) throws Exception;

    /** Who reads the table now: participant name → URL of its {@code /admin/table}. */
    Map<String, URI> participants(String cell);

    /** The switchover ended: {@code zone} holds the cell's active instances from now on. */
    void ended(String cell, Outcome outcome);

    /** A progress line, for the supervisor's log. */
    void say(String line);
  }

  /** The cell's database as a switchover sees it. */
  public interface Database {
    /** Every tablet of the cell's keyspace with its position; throws when they cannot be read. */
    List<TabletPosition> positions();

    /**
     * Makes tablet {@code alias} the primary of {@code shard}; returns the transactions it has
     * executed then. Throws when the reparent failed.
     */
    long reparent(String shard, String alias);
  }

  private static final Pattern EPOCH = Pattern.compile("\"epoch\"\\s*:\\s*(-?\\d+)");
  private static final Duration POLL = Duration.ofMillis(250);

  private final Switchover.Request request;
  private final String keyspace;
  private final Database database;
  private final Runtime runtime;
  private final HttpClient http;
  private final String routerSecret;
  private final long started = System.nanoTime();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private volatile Switchover switchover;
  private volatile Outcome outcome;
  // the phase readers see: moves only once a step's actions (and their lines) are done
  private volatile Phase reported = Phase.FENCING;
  private boolean watching;
  private String positionsFailing;

  public LocalSwitchover(
      Switchover.Request request,
      String keyspace,
      Database database,
      Runtime runtime,
      HttpClient http,
      String routerSecret) {
    this.request = request;
    this.routerSecret = routerSecret;
    this.keyspace = keyspace;
    this.database = database;
    this.runtime = runtime;
    this.http = http;
  }

  /**
   * Fences the cell (the first table): throws when the switchover is not legal now, before anything
   * changed.
   */
  public void begin() throws Exception {
    List<EpochReport> reports = poll();
    Step first = runtime.step(table -> Switchover.begin(request, table, reports, Instant.now()));
    note(
        "fenced at epoch "
            + first.switchover().fenceEpoch()
            + "; waiting for "
            + reports.stream().map(EpochReport::participant).sorted().toList());
    apply(first);
  }

  /** Feeds the switchover until it ends; meant for its own thread. */
  public void run() {
    try {
      while (!switchover.phase().ended()) {
        Thread.sleep(POLL.toMillis());
        for (EpochReport report : poll()) {
          if (!feed(report)) {
            return;
          }
        }
        if (watching && switchover.phase() == Phase.CATCHING_UP) {
          List<TabletPosition> tablets = positions();
          if (tablets != null && !feed(new Switchover.Replication(tablets, Instant.now()))) {
            return;
          }
        }
        if (!feed(new Switchover.Tick(Instant.now()))) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel("interrupted in " + switchover.phase());
    } catch (Exception e) {
      cancel("stopped in " + switchover.phase() + ": " + e);
    }
  }

  /**
   * The driver cannot go on: the state machine decides what the cell does (a planned switchover
   * before its reparent serves again in the old zone). Without this the cell would stay fenced.
   */
  private void cancel(String reason) {
    note(reason);
    if (switchover.phase().ended()) {
      return;
    }
    try {
      feed(new Switchover.Cancel(reason, Instant.now()));
    } catch (Exception e) {
      note(
          "cannot cancel ("
              + e.getMessage()
              + "); cell "
              + request.cell()
              + " stays fenced until ./unitcell down");
    }
  }

  /** The phase and every progress line, read together. */
  public record Progress(Phase phase, String lines) {}

  /**
   * The progress once it has more than {@code seen} lines or the switchover has ended, or after
   * {@code max} (for a client that follows it without polling). An ended phase comes with the line
   * that says how it ended.
   */
  public Progress awaitProgress(int seen, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (log) {
      long left = max.toNanos();
      while (log.size() <= seen && !reported.ended() && left > 0) {
        TimeUnit.NANOSECONDS.timedWait(log, left);
        left = deadline - System.nanoTime();
      }
      return new Progress(reported, progress());
    }
  }

  /** A line per step so far, for {@code ./unitcell switchover} and the log. */
  public String progress() {
    return String.join("\n", log) + "\n";
  }

  public Phase phase() {
    return reported;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Feeds one input; false once the switchover has ended. */
  private boolean feed(Input input) throws Exception {
    if (switchover.phase().ended()) {
      return false;
    }
    Switchover current = switchover;
    apply(runtime.step(table -> current.on(input, table)));
    return !switchover.phase().ended();
  }

  private String describe(Switchover next) {
    return switch (next.phase()) {
      case CATCHING_UP ->
          "fence acknowledged by every live reader; waiting for "
              + request.targetZone()
              + " to have every transaction";
      case REPARENTING -> "replica caught up; reparenting " + keyspace;
      default -> next.phase().name();
    };
  }

  private void apply(Step step) throws Exception {
    Phase before = switchover == null ? null : switchover.phase();
    switchover = step.switchover();
    if (before != null && switchover.phase() != before && !switchover.phase().ended()) {
      note(describe(switchover));
    }
    for (Action action : step.actions()) {
      if (action instanceof PublishTable publish) {
        note("routing table epoch " + publish.table().epoch() + " published");
      } else if (action instanceof WatchReplication) {
        watching = true;
      } else if (action instanceof Reparent reparent) {
        reparent(reparent);
      } else if (action instanceof Alert alert) {
        note("ALERT: " + alert.message());
      } else if (action instanceof Finished finished) {
        outcome = finished.outcome();
        note(
            String.format(
                "%s in %.1f s: cell %s active in %s; transactions lost %s (%s)",
                outcome.phase(),
                (System.nanoTime() - started) / 1e9,
                request.cell(),
                outcome.activeZone(),
                outcome.dataLossUnknown() ? "unknown" : outcome.knownLostTransactions(),
                outcome.reason()));
        runtime.ended(request.cell(), outcome);
      }
    }
    synchronized (log) {
      reported = switchover.phase();
      log.notifyAll();
    }
  }

  /** Runs the reparent the switchover asked for and feeds its result back. */
  private void reparent(Reparent reparent) throws Exception {
    Switchover.Input result;
    try {
      Map<String, Long> positions = new TreeMap<>();
      for (Map.Entry<String, String> shard : reparent.newPrimaries().entrySet()) {
        positions.put(shard.getKey(), database.reparent(shard.getKey(), shard.getValue()));
      }
      note("reparented " + keyspace + " " + reparent.newPrimaries() + " at positions " + positions);
      result = new Switchover.Reparented(positions, Instant.now());
    } catch (RuntimeException e) {
      result = new Switchover.ReparentFailed(String.valueOf(e.getMessage()), Instant.now());
    }
    Switchover current = switchover;
    Switchover.Input input = result;
    Step step = runtime.step(table -> current.on(input, table));
    apply(step);
  }

  /** Every participant that answers, with the epoch it applied. */
  private List<EpochReport> poll() {
    List<EpochReport> reports = new ArrayList<>();
    for (Map.Entry<String, URI> participant : runtime.participants(request.cell()).entrySet()) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(participant.getValue())
                    // cells answer their admin API to the router's secret only
                    .header("X-Unitcell-Router-Secret", routerSecret)
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher epoch = EPOCH.matcher(response.body());
        if (response.statusCode() == 200 && epoch.find()) {
          reports.add(
              new EpochReport(participant.getKey(), Long.parseLong(epoch.group(1)), Instant.now()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return reports;
      } catch (Exception e) {
        // silent: after a while the switchover counts it as dead
      }
    }
    return reports;
  }

  /**
   * The positions, or null when they cannot be read now (said once): the catch-up timeout decides
   * whether to wait longer.
   */
  private List<TabletPosition> positions() {
    try {
      List<TabletPosition> tablets = database.positions();
      positionsFailing = null;
      return tablets;
    } catch (RuntimeException e) {
      String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      if (positionsFailing == null) {
        note("replication positions unavailable (" + reason + "); trying again");
      }
      positionsFailing = reason;
      return null;
    }
  }

  private void note(String line) {
    String text =
        String.format(
            "[%5.1f s] switchover of %s to %s: %s",
            (System.nanoTime() - started) / 1e9, request.cell(), request.targetZone(), line);
    synchronized (log) {
      log.add(text);
      log.notifyAll();
    }
    runtime.say(text);
  }
}
