package io.unitcell.local.platform;

import io.unitcell.local.load.LoadDriver;
import io.unitcell.local.load.LoadSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Traffic through the router before the platform says READY, so that its first users do not pay for
 * the JIT: the cells, the router and the databases see the standard mix (creates, reads, lists,
 * pays, cancels) for synthetic users {@value #USERS}{@code 0..}, in short stages of rising rate (a
 * tenth of the target, doubling), until two stages in a row at {@code target} requests/s answer
 * without errors within the latency goal while the active cell apps' JIT compilers have become
 * quiet (at most {@value #JIT_QUIET_PERCENT} % of a core each over those two stages; see {@link
 * JitActivity}), or the time is up. Without the compilers' figure (not Linux) the latency goal
 * alone decides. Their orders are real and stay (in the users' home cells, like any other); the
 * acknowledged ones of each stage are listed in {@code warmup-acked-<stage>.txt} for {@code
 * ./unitcell verify}.
 */
final class Warmup {

  /** The synthetic users' ids start with this; no user of {@code ./unitcell load} does. */
  static final String USERS = "unitcell-warmup-";

  private static final Duration STAGE = Duration.ofSeconds(3);

  /** A stage that meets this (and has no errors) lets the next one go faster. */
  private static final Duration P99_GOAL = Duration.ofMillis(250);

  /**
   * A JVM whose compilers take more than this share of a core is still warming: on a 2-core machine
   * the cell apps' C2 alone took 20–40 % of a core each for minutes after start under 100
   * requests/s, and their requests twice the CPU they take once compiled.
   */
  static final int JIT_QUIET_PERCENT = 10;

  /** {@code CLK_TCK}: Linux counts thread CPU time in 1/100 s. */
  private static final int TICKS_PER_SECOND = 100;

  private final int routerPort;
  private final String jwtSecret;
  private final Path dir;
  private final Consumer<String> say;
  private final Supplier<Collection<Long>> compiling;
  private final JitActivity jit;

  /**
   * @param compiling the pids of the JVMs whose compilers must become quiet (the active cell apps)
   */
  Warmup(
      int routerPort,
      String jwtSecret,
      Path dir,
      Consumer<String> say,
      Supplier<Collection<Long>> compiling,
      JitActivity jit) {
    this.routerPort = routerPort;
    this.jwtSecret = jwtSecret;
    this.dir = dir;
    this.say = say;
    this.compiling = compiling;
    this.jit = jit;
  }

  /** Runs stages until the platform carries {@code target} requests/s well or {@code max} ends. */
  void run(int target, Duration max) throws Exception {
    long started = System.nanoTime();
    long end = started + max.toNanos();
    // cold cells time out when many first requests arrive at once: start low
    int rps = Math.max(5, target / 10);
    int stage = 0;
    int cleanAtTarget = 0;
    int shownRps = 0;
    Path log = dir.resolve("warmup.log");
    // compiler samples at the start of the last stages, to judge the JIT over two stages
    Deque<Sample> samples = new ArrayDeque<>();
    samples.add(sample());
    try (PrintStream out =
        new PrintStream(
            Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
            true)) {
      while (System.nanoTime() < end) {
        LoadSummary result =
            new LoadDriver(
                    new LoadDriver.Settings(
                        200,
                        rps,
                        STAGE,
                        dir.resolve("warmup-acked-" + stage + ".txt"),
                        "warmup" + Long.toString(System.currentTimeMillis(), 36),
                        null,
                        USERS),
                    "http://127.0.0.1:" + routerPort,
                    jwtSecret,
                    out)
                .measure();
        boolean good = result.errors() == 0 && result.p99Nanos() <= P99_GOAL.toNanos();
        samples.add(sample());
        if (samples.size() > 3) {
          samples.removeFirst();
        }
        Optional<Double> jitShare = Sample.busiest(samples.getFirst(), samples.getLast());
        String line =
            String.format(
                "  warm-up stage %d: %d requests/s, p99 %.0f ms, %d errors%s",
                ++stage,
                rps,
                result.p99Nanos() / 1e6,
                result.errors(),
                jitShare.map(s -> String.format(", JIT %.0f %% of a core", s * 100)).orElse(""));
        out.println(line);
        cleanAtTarget = good && rps >= target ? cleanAtTarget + 1 : 0;
        boolean compiled = jitShare.map(s -> s * 100 <= JIT_QUIET_PERCENT).orElse(true);
        boolean done = cleanAtTarget >= 2 && compiled;
        // every stage is in warmup.log; the terminal gets a line every 15 s and every change
        if (done || rps != shownRps || result.errors() > 0 || stage % 5 == 0) {
          say.accept(line);
          shownRps = rps;
        }
        if (done) {
          return; // twice in a row, compilers quiet: not a lucky stage while the JIT still works
        }
        rps = good ? Math.min(target, rps * 2) : rps;
      }
      say.accept(
          String.format(
              "  warm-up: %d s are up before two clean stages at %d requests/s with the cell apps'"
                  + " JIT quiet; the first requests after READY may be slow",
              max.toSeconds(), target));
    } catch (IOException e) {
      say.accept("warm-up skipped: " + e);
    }
  }

  private Sample sample() {
    return new Sample(System.nanoTime(), jit.sample(compiling.get()));
  }

  /** The compilers' CPU so far per pid (empty if unknown), taken at {@code nanos}. */
  private record Sample(long nanos, Optional<Map<Long, Long>> ticks) {

    /** The busiest JVM's compiler share of a core between two samples, if both are known. */
    static Optional<Double> busiest(Sample from, Sample to) {
      if (from.ticks.isEmpty() || to.ticks.isEmpty() || to.nanos <= from.nanos) {
        return Optional.empty();
      }
      return Optional.of(
          JitActivity.busiest(
              from.ticks.get(), to.ticks.get(), (to.nanos - from.nanos) / 1e9, TICKS_PER_SECOND));
    }
  }
}
