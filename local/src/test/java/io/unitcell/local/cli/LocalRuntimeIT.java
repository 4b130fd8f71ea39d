package io.unitcell.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.local.state.LocalState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main job end to end, through the repository's own commands: {@code ./unitcell up} of the
 * default example (2 zones, 2 cells of 2 shards each, 1024 slots), a first order through the
 * router, {@code ./unitcell load} for 60 s, the {@code chaos/kill-instance.sh} drill, the {@code
 * chaos/switchover.sh} drill (cell-1 to its standby zone under load), {@code ./unitcell verify} of
 * every order acknowledged before the drills, a 20 s {@code ./unitcell load --flash-sale} with
 * fewer units than buyers and its {@code verify} right after, {@code ./unitcell down} keeping the
 * data and {@code up} again on it (both verifies again, cell-1 still in zone-b, a new order), and
 * {@code ./unitcell down --wipe}: zero lost acknowledged orders (flash-sale ones included, once the
 * cells' pipelines have stored them), every user's orders in its home cell only and on one shard of
 * it, no cell selling more than its stock, both shards of each cell holding orders, each shard's
 * primary in its cell's serving zone, nothing left running. Runs in a state directory and on a
 * router port of its own, so a developer's {@code ./unitcell up} is left alone.
 */
class LocalRuntimeIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static Path state;
  static int port;

  record Run(int exitCode, String output) {}

  static Run run(long timeoutSeconds, String... command) throws Exception {
    Path log = Files.createTempFile(state, "command", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(REPO.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("UNITCELL_STATE", state.toString());
    Process process = builder.start();
    boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("$ " + String.join(" ", command) + "\n" + output);
    if (!exited) {
      process.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
    }
    return new Run(process.exitValue(), output);
  }

  @BeforeAll
  static void up() throws Exception {
    // short: mysqld's unix socket paths below it must stay under 108 bytes
    state = Files.createTempDirectory(Path.of("/tmp"), "uc-it-");
    port = ManagedProcess.freePort();
    long started = System.nanoTime();
    Run up = run(600, "./unitcell", "up", "--port", Integer.toString(port));
    System.out.printf("./unitcell up took %.0f s%n", (System.nanoTime() - started) / 1e9);
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output()).contains(LocalState.READY).contains("curl -s -X POST");
  }

  @AfterAll
  static void down() throws Exception {
    if (state == null) {
      return;
    }
    keepLogs();
    Run down = run(180, "./unitcell", "down", "--wipe");
    assertThat(down.exitCode()).as("down leaves nothing running: " + down.output()).isZero();
    assertThat(running()).isEmpty();
  }

  @Test
  void loadThenAKilledInstanceLosesNoAcknowledgedOrderAndUsersStayOnTheirCells() throws Exception {
    HttpResponse<String> first = order("alice", "first-order");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.body()).contains("\"userId\":\"alice\"");

    Path acked = state.resolve("acked-load.txt");
    Run load =
        run(
            240,
            "./unitcell",
            "load",
            "--users",
            "1000",
            "--rps",
            "10",
            "--duration",
            "60s",
            "--acked",
            acked.toString());
    assertThat(load.exitCode()).as(load.output()).isZero();
    assertThat(load.output()).contains("TP50").contains("TP99").contains("TP999");
    List<String> acknowledged = Files.readAllLines(acked);
    assertThat(acknowledged).as("orders acknowledged under load").hasSizeGreaterThan(100);

    Run drill =
        run(300, "chaos/kill-instance.sh", "--duration", "30s", "--after", "8", "--rps", "10");
    assertThat(drill.exitCode()).as(drill.output()).isZero();
    assertThat(drill.output()).contains("drill kill-instance: PASS").contains("verify: PASS");

    // a planned switchover of cell-1 to its standby zone under load: same switchover code as the
    // operator's (topology/Switchover), a real Vitess reparent, no acknowledged order lost
    Run switchover =
        run(300, "chaos/switchover.sh", "--duration", "20s", "--after", "6", "--rps", "10");
    assertThat(switchover.exitCode()).as(switchover.output()).isZero();
    assertThat(switchover.output())
        .contains("switchover of cell-1 to zone-b: fenced at epoch")
        .contains("reparented cell_1")
        .contains("cell cell-1 active in zone-b; transactions lost 0")
        .contains("verify: PASS")
        .contains("drill switchover: PASS");
    assertThat(run(60, "./unitcell", "status").output())
        .containsPattern("cell-1 +zone-b +SERVING +512 ")
        // both of cell-1's shards now have their primary in zone-b and a replica in zone-a
        .containsPattern("cell-1 +cell_1 +-80 +zone-b +zone-a\\n")
        .containsPattern("cell-1 +cell_1 +80- +zone-b +zone-a\\n")
        .containsPattern("cell-2 +cell_2 +-80 +zone-b +zone-a\\n");

    // everything acknowledged before the drills is still there, exactly once, in its home cell
    Run verify = run(300, "./unitcell", "verify", acked.toString());
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output())
        .contains("missing: 0; stored twice or more: 0; outside the user's home cell: 0")
        .contains("users whose orders are in more than one cell: 0")
        .contains("users whose orders are on more than one shard: 0")
        .contains("verify: PASS");
    // every shard of each cell's keyspace holds orders (1000 users hashed over 4 shards)
    Matcher perShard =
        Pattern.compile("(cell-\\d) (cell_\\d)/(-80|80-) (\\d+)").matcher(verify.output());
    int shardsWithOrders = 0;
    while (perShard.find()) {
      assertThat(Long.parseLong(perShard.group(4))).as(perShard.group()).isPositive();
      shardsWithOrders++;
    }
    assertThat(shardsWithOrders).as("shards listed by verify: " + verify.output()).isEqualTo(4);

    // a flash sale with 5 units per cell, 10 in all, for about 40 buys; verified right after
    long flashStarted = System.nanoTime();
    Path flashAcked = state.resolve("acked-flash.txt");
    Run flash =
        run(
            240,
            "./unitcell",
            "load",
            "--users",
            "200",
            "--rps",
            "10",
            "--duration",
            "20s",
            "--flash-sale",
            "it-phone",
            "--stock",
            "5",
            "--acked",
            flashAcked.toString());
    assertThat(flash.exitCode()).as(flash.output()).isZero();
    for (String cell : List.of("cell-1", "cell-2")) {
      assertThat(flash.output()).contains(cell + ": opened 5 units at 99.00 CNY");
    }
    Matcher report =
        Pattern.compile(
                "flash sale it-phone: buys (\\d+): acknowledged (\\d+) \\(PENDING until stored\\),"
                    + " sold out (\\d+)")
            .matcher(flash.output());
    assertThat(report.find()).as(flash.output()).isTrue();
    long flashLines =
        Files.readAllLines(flashAcked).stream().filter(l -> l.endsWith(" flash:it-phone")).count();
    assertThat(Long.parseLong(report.group(2))).isEqualTo(flashLines);
    assertThat(flashLines)
        .as("flash-sale orders acknowledged, 10 units for sale")
        .isBetween(1L, 10L);
    assertThat(Long.parseLong(report.group(3))).as("buys that found it sold out").isPositive();

    Run flashVerify = run(300, "./unitcell", "verify", flashAcked.toString());
    assertThat(flashVerify.exitCode()).as(flashVerify.output()).isZero();
    assertThat(flashVerify.output())
        .contains("(" + flashLines + " of them flash-sale)")
        .contains("flash-sale orders in the database: " + flashLines + " of " + flashLines)
        .contains("missing: 0; stored twice or more: 0; outside the user's home cell: 0")
        .contains("still PENDING: 0")
        .contains("flash sale it-phone: units stored of the stock opened, per cell:")
        .contains("oversold cells: 0")
        .contains("verify: PASS");
    System.out.printf(
        "flash-sale load and its verify took %.0f s%n", (System.nanoTime() - flashStarted) / 1e9);

    // down keeps the data; up starts the same platform again: every order is still there, cell-1
    // still serves from zone-b (where its database primary is now), new orders are taken
    Run kept = run(180, "./unitcell", "down");
    assertThat(kept.exitCode()).as(kept.output()).isZero();
    assertThat(kept.output()).contains("logs and data kept in");
    assertThat(running()).isEmpty();
    long resumeStarted = System.nanoTime();
    Run resumed = run(600, "./unitcell", "up", "--port", Integer.toString(port));
    System.out.printf(
        "./unitcell up on kept data took %.0f s%n", (System.nanoTime() - resumeStarted) / 1e9);
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(resumed.output())
        .contains("resuming the platform kept in")
        .contains("vitess: started again")
        .contains(LocalState.READY);
    assertThat(run(60, "./unitcell", "status").output())
        .containsPattern("cell-1 +zone-b +SERVING +512 ")
        .containsPattern("cell-2 +zone-b +SERVING +512 ")
        .containsPattern("cell-1 +cell_1 +-80 +zone-b +zone-a\\n");
    for (Path file : List.of(acked, flashAcked)) {
      Run again = run(300, "./unitcell", "verify", file.toString());
      assertThat(again.exitCode()).as(again.output()).isZero();
      assertThat(again.output())
          .contains("missing: 0; stored twice or more: 0; outside the user's home cell: 0")
          .contains("verify: PASS");
    }
    HttpResponse<String> afterResume = order("alice", "after-resume");
    assertThat(afterResume.statusCode()).as(afterResume.body()).isEqualTo(201);
  }

  static HttpResponse<String> order(String user, String idempotencyKey) throws Exception {
    String token = run(60, "./unitcell", "token", user).output().trim();
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                .header(
                    "Authorization", "Bearer " + token.lines().reduce((a, b) -> b).orElseThrow())
                .header("Idempotency-Key", idempotencyKey)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"currency\":\"CNY\",\"lines\":[{\"sku\":\"tea-1\",\"quantity\":2,"
                            + "\"unitPriceCents\":1990}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Every process's log, before down --wipe deletes them: into target/local-runtime-it-logs. */
  static void keepLogs() throws IOException {
    Path kept = Path.of("target", "local-runtime-it-logs").toAbsolutePath();
    try (Stream<Path> files = Files.walk(state)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        Path copy = kept.resolve(state.relativize(log).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    System.out.println("logs of the run kept in " + kept);
  }

  /** Processes whose command line names the IT's state directory. */
  static List<ProcessHandle> running() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(state.toString())).orElse(false))
        .toList();
  }
}
