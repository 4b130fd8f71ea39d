package io.unitcell.local.platform;

import io.unitcell.local.load.LoadDriver;
import io.unitcell.local.load.LoadSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Traffic through the router before the platform says READY, so that its first users do not pay for
 * the JIT: the cells, the router and the databases see the standard mix (creates, reads, lists,
 * pays, cancels) for synthetic users {@value #USERS}{@code 0..}, in short stages of rising rate (a
 * tenth of the target, doubling), until two stages in a row at {@code target} requests/s answer
 * without errors within the latency goal, or the time is up. Their orders are real and stay (in the
 * users' home cells, like any other); the acknowledged ones of each stage are listed in {@code
 * warmup-acked-<stage>.txt} for {@code ./unitcell verify}.
 */
final class Warmup {

  /** The synthetic users' ids start with this; no user of {@code ./unitcell load} does. */
  static final String USERS = "unitcell-warmup-";

  private static final Duration STAGE = Duration.ofSeconds(3);

  /** A stage that meets this (and has no errors) lets the next one go faster. */
  private static final Duration P99_GOAL = Duration.ofMillis(250);

  private final int routerPort;
  private final String jwtSecret;
  private final Path dir;
  private final Consumer<String> say;

  Warmup(int routerPort, String jwtSecret, Path dir, Consumer<String> say) {
    this.routerPort = routerPort;
    this.jwtSecret = jwtSecret;
    this.dir = dir;
    this.say = say;
  }

  /** Runs stages until the platform carries {@code target} requests/s well or {@code max} ends. */
  void run(int target, Duration max) throws Exception {
    long started = System.nanoTime();
    long end = started + max.toNanos();
    // cold cells time out when many first requests arrive at once: start low
    int rps = Math.max(5, target / 10);
    int stage = 0;
    int cleanAtTarget = 0;
    Path log = dir.resolve("warmup.log");
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
        say.accept(
            String.format(
                "  warm-up stage %d: %d requests/s, p99 %.0f ms, %d errors",
                ++stage, rps, result.p99Nanos() / 1e6, result.errors()));
        cleanAtTarget = good && rps >= target ? cleanAtTarget + 1 : 0;
        if (cleanAtTarget == 2) {
          return; // twice in a row: not a lucky stage while the JIT still compiles
        }
        rps = good ? Math.min(target, rps * 2) : rps;
      }
      say.accept(
          String.format(
              "  warm-up: %d s are up before a clean stage at %d requests/s; the first requests"
                  + " after READY may be slow",
              max.toSeconds(), target));
    } catch (IOException e) {
      say.accept("warm-up skipped: " + e);
    }
  }
}
