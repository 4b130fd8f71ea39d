package io.unitcell.local.cli;

import io.unitcell.local.control.Control;
import io.unitcell.local.control.ControlClient;
import io.unitcell.local.load.LoadDriver;
import io.unitcell.local.load.LoadOptions;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.state.LocalState;
import io.unitcell.local.token.DevTokens;
import io.unitcell.local.verify.Verify;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code ./unitcell <command>}: the local runtime's command line. */
public final class Cli {

  static final String USAGE =
      """
      usage: ./unitcell <command>
        up [MANIFEST] [--port N]   start the platform from Topology/Cell YAML
                                   (default examples/local/topology.yaml, router on port 8080);
                                   after a down without --wipe, starts it again with its data
        status                     cells, zones, states, epoch, slots, instances and their health
        down [--wipe]              stop everything, keeping data and logs for the next up;
                                   --wipe deletes them
        load [--users N] [--rps R] [--duration D] [--acked FILE] [--flash-sale SKU [--stock N]]
                                   traffic through the router (defaults 1000 users, 10/s, 60s);
                                   writes the acknowledged orders to FILE; --flash-sale first
                                   opens a sale of SKU, N units per cell (default 1000), and
                                   makes 20% of the requests buys in it
        verify ACKED_FILE [--wait D]
                                   every acknowledged order exists exactly once, in its user's
                                   home cell, readable through the router; waits for flash-sale
                                   orders still in the pipelines until none was stored for D
                                   (default 60s); no cell sold more than its flash-sale stock
        token USER [--ttl SECONDS] a development JWT for USER (default 86400 s)
        kill INSTANCE              SIGKILL one cell-app instance, e.g. cell-1-zone-a (drills)
        switchover CELL [--to ZONE]
                                   planned switchover of CELL to ZONE (default: the zone of its
                                   warm standby): fence, catch up, reparent, serve; waits for it
      """;

  private Cli() {}

  public static void main(String[] args) throws Exception {
    // UNITCELL_STATE: another state directory (tests; two runtimes side by side on other ports)
    String stateDir = System.getenv().getOrDefault("UNITCELL_STATE", ".unitcell");
    LocalState state = new LocalState(Path.of(stateDir));
    List<String> rest = args.length == 0 ? List.of() : List.of(args).subList(1, args.length);
    int code;
    try {
      code = run(state, args, rest);
    } catch (Unanswered e) {
      System.err.println("unitcell: " + e.getMessage() + "; see " + state.logFile());
      code = 1;
    }
    System.exit(code);
  }

  private static int run(LocalState state, String[] args, List<String> rest) throws Exception {
    return switch (args.length == 0 ? "" : args[0]) {
      case "up" -> Lifecycle.up(state, rest);
      case "status" -> status(state);
      case "down" -> down(state, rest);
      case "token" -> token(state, rest);
      case "load" -> load(state, rest);
      case "verify" -> verify(state, rest);
      case "kill" -> kill(state, rest);
      case "switchover" -> switchover(state, rest);
      default -> {
        System.err.print(USAGE);
        yield 2;
      }
    };
  }

  static int status(LocalState state) throws Exception {
    Optional<Integer> control = state.controlPort();
    if (state.supervisor().isEmpty() || control.isEmpty()) {
      System.out.println("unitcell is not running (./unitcell up starts it)");
      return 3;
    }
    Control.Answer answer = control(control.get(), "GET", "/status", 30);
    System.out.print(answer.body());
    return answer.code() == 200 ? 0 : 1;
  }

  static int down(LocalState state, List<String> args) throws Exception {
    if (!List.of("--wipe").containsAll(args) || args.size() > 1) {
      System.err.println("down: ./unitcell down [--wipe]");
      return 2;
    }
    return Lifecycle.down(state, args.contains("--wipe"));
  }

  static int load(LocalState state, List<String> args) throws Exception {
    if (state.supervisor().isEmpty() || state.routerPort().isEmpty()) {
      System.err.println("load: unitcell is not running (./unitcell up first)");
      return 3;
    }
    Path acked =
        state
            .dir()
            .resolve(
                "acked-"
                    + java.time.LocalDateTime.now()
                        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + ".txt");
    LoadOptions options;
    try {
      options = LoadOptions.parse(args, acked);
    } catch (IllegalArgumentException e) {
      System.err.println("load: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    if (options.flashSale() != null && !openFlashSale(state, options)) {
      return 1;
    }
    String runId = Long.toString(System.currentTimeMillis(), 36);
    return new LoadDriver(
            new LoadDriver.Settings(
                options.users(),
                options.rps(),
                options.duration(),
                options.acked(),
                runId,
                options.flashSale()),
            "http://127.0.0.1:" + state.routerPort().get(),
            state.jwtSecret(),
            System.out)
        .run();
  }

  /**
   * Asks the supervisor to open the load's flash sale in every cell ({@code POST
   * /flash-sales/<sku>?stock=N} on its control port) and prints its answer, a line per cell.
   *
   * @return whether every cell opened it (else nothing is sent)
   */
  static boolean openFlashSale(LocalState state, LoadOptions options) throws Exception {
    Optional<Integer> control = state.controlPort();
    if (control.isEmpty()) {
      System.err.println("load: the supervisor's control port is unknown; is unitcell up?");
      return false;
    }
    Control.Answer response =
        control(
            control.get(),
            "POST",
            "/flash-sales/"
                + options.flashSale()
                + (options.stock() == null ? "" : "?stock=" + options.stock()),
            60);
    System.out.println("flash sale " + options.flashSale() + ":");
    response.body().lines().forEach(line -> System.out.println("  " + line));
    if (response.code() != 200) {
      System.err.println(
          "load: the flash sale is not open in every cell (" + response.code() + "); no load sent");
      return false;
    }
    return true;
  }

  static int verify(LocalState state, List<String> args) throws Exception {
    Duration wait = Verify.DEFAULT_WAIT;
    if (args.size() == 3 && args.get(1).equals("--wait")) {
      try {
        wait = LoadOptions.duration(args.get(2));
      } catch (IllegalArgumentException e) {
        System.err.println("verify: --wait " + args.get(2) + ": a duration such as 60s or 2m");
        return 2;
      }
    } else if (args.size() != 1) {
      System.err.println("verify: ./unitcell verify ACKED_FILE [--wait D]");
      return 2;
    }
    if (state.supervisor().isEmpty() || state.routerPort().isEmpty()) {
      System.err.println("verify: unitcell is not running (./unitcell up first)");
      return 3;
    }
    Manifests.Loaded manifest =
        Manifests.read(Path.of(Files.readString(state.manifestFile()).trim()));
    java.util.Map<String, String> keyspaces = new java.util.TreeMap<>();
    manifest.cells().forEach(c -> keyspaces.put(c.name(), c.keyspace()));
    return new Verify(
            state,
            keyspaces,
            Files.readString(state.vtgateUrlFile()).trim(),
            "http://127.0.0.1:" + state.routerPort().get(),
            System.out)
        .run(Path.of(args.get(0)), wait);
  }

  static int kill(LocalState state, List<String> args) throws Exception {
    Optional<Integer> control = state.controlPort();
    if (args.size() != 1) {
      System.err.println("kill: ./unitcell kill INSTANCE (names in ./unitcell status)");
      return 2;
    }
    if (state.supervisor().isEmpty() || control.isEmpty()) {
      System.err.println("kill: unitcell is not running");
      return 3;
    }
    Control.Answer response =
        control(control.get(), "POST", "/instances/" + args.get(0) + "/kill", 10);
    System.out.print(response.body());
    return response.code() == 200 ? 0 : 1;
  }

  static int switchover(LocalState state, List<String> args) throws Exception {
    Optional<Integer> control = state.controlPort();
    String to = null;
    String cell = null;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--to") && i + 1 < args.size()) {
        to = args.get(++i);
      } else if (!args.get(i).startsWith("--") && cell == null) {
        cell = args.get(i);
      } else {
        System.err.println("switchover: ./unitcell switchover CELL [--to ZONE]");
        return 2;
      }
    }
    if (cell == null) {
      System.err.println("switchover: which cell? ./unitcell switchover CELL [--to ZONE]");
      return 2;
    }
    if (state.supervisor().isEmpty() || control.isEmpty()) {
      System.err.println("switchover: unitcell is not running");
      return 3;
    }
    String path = "/cells/" + cell + "/switchover";
    Control.Answer started =
        control(control.get(), "POST", to == null ? path : path + "?to=" + to, 30);
    if (started.code() != 202) {
      System.err.print("switchover refused: " + started.body());
      return 1;
    }
    // follow its progress lines until it ends: each request returns with the next line
    long printed = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      Control.Answer now = control(control.get(), "GET", path + "?after=" + printed, 30);
      List<String> lines = now.body().lines().toList();
      String phase = lines.isEmpty() ? "" : lines.get(0).replace("phase ", "");
      List<String> progress = lines.subList(Math.min(1, lines.size()), lines.size());
      progress.stream().skip(printed).forEach(System.out::println);
      printed = Math.max(printed, progress.size());
      if (phase.equals("DONE")) {
        return 0;
      }
      if (phase.equals("ABORTED") || now.code() != 200) {
        return 1;
      }
    }
    System.err.println("switchover: still under way after 5 minutes; see ./unitcell status");
    return 1;
  }

  /**
   * A request to the supervisor's control API on loopback, without a body.
   *
   * @throws Unanswered when the supervisor cannot be reached or does not answer in time
   */
  private static Control.Answer control(
      int port, String method, String pathAndQuery, int timeoutSeconds) {
    try {
      return new ControlClient(port).send(method, pathAndQuery, Duration.ofSeconds(timeoutSeconds));
    } catch (IOException e) {
      throw new Unanswered(
          String.format(
              "the supervisor did not answer %s %s within %d s (%s)",
              method, pathAndQuery, timeoutSeconds, e));
    }
  }

  /** The supervisor's control API gave no answer: said in one line, not as a stack trace. */
  private static final class Unanswered extends RuntimeException {
    Unanswered(String message) {
      super(message);
    }
  }

  static int token(LocalState state, List<String> args) {
    if (args.isEmpty()) {
      System.err.println("token: which user? ./unitcell token USER [--ttl SECONDS]");
      return 2;
    }
    long ttl = 86_400;
    if (args.size() == 3 && args.get(1).equals("--ttl") && args.get(2).matches("\\d{1,9}")) {
      ttl = Long.parseLong(args.get(2));
    } else if (args.size() != 1 || args.get(0).startsWith("--")) {
      System.err.println("token: ./unitcell token USER [--ttl SECONDS] (SECONDS a whole number)");
      return 2;
    }
    System.out.println(DevTokens.jwt(state.jwtSecret(), args.get(0), Duration.ofSeconds(ttl)));
    return 0;
  }
}
