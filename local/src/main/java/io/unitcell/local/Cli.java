package io.unitcell.local;

import io.unitcell.local.Manifests.InvalidManifestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** {@code ./unitcell up | status | down | token}: the local runtime's command line. */
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

  private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Cli() {}

  public static void main(String[] args) throws Exception {
    // UNITCELL_STATE: another state directory (tests; two runtimes side by side on other ports)
    String stateDir = System.getenv().getOrDefault("UNITCELL_STATE", ".unitcell");
    LocalState state = new LocalState(Path.of(stateDir));
    List<String> rest = args.length == 0 ? List.of() : List.of(args).subList(1, args.length);
    int code =
        switch (args.length == 0 ? "" : args[0]) {
          case "up" -> up(state, rest);
          case "status" -> status(state);
          case "down" -> down(state, rest.contains("--wipe"));
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
    System.exit(code);
  }

  static int up(LocalState state, List<String> args) throws Exception {
    Path manifest = Path.of("examples/local/topology.yaml");
    int port = 8080;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--port") && i + 1 < args.size()) {
        port = Integer.parseInt(args.get(++i));
      } else if (!args.get(i).startsWith("--")) {
        manifest = Path.of(args.get(i));
      } else {
        System.err.println("up: unknown option " + args.get(i) + "\n" + USAGE);
        return 2;
      }
    }
    try {
      Manifests.read(manifest);
    } catch (InvalidManifestException e) {
      System.err.println("up: the manifest cannot run: " + e.getMessage());
      return 2;
    }
    if (state.supervisor().isPresent()) {
      System.out.println("unitcell is already up (./unitcell down to stop it):");
      return status(state);
    }
    if (!portFree(port)) {
      System.err.println("up: port " + port + " is in use; choose another with --port N");
      return 2;
    }
    List<ProcessHandle> earlier = leftovers(state);
    if (!earlier.isEmpty()) {
      System.err.println(
          "up: "
              + earlier.size()
              + " processes of an earlier run are still alive (pids "
              + earlier.stream().map(ProcessHandle::pid).toList()
              + "), and would hold its ports; ./unitcell down stops them");
      return 2;
    }
    Files.deleteIfExists(state.routerPortFile());
    Files.writeString(state.manifestFile(), manifest.toAbsolutePath().toString());
    long offset = Files.exists(state.logFile()) ? Files.size(state.logFile()) : 0;
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Supervisor.class.getName());
    command.add(state.dir().toString());
    command.add(manifest.toAbsolutePath().toString());
    command.add(Integer.toString(port));
    Process supervisor =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(state.logFile().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    Instant deadline = Instant.now().plus(UP_TIMEOUT);
    try (BufferedReader log =
        new BufferedReader(
            new InputStreamReader(Files.newInputStream(state.logFile()), StandardCharsets.UTF_8))) {
      log.skip(offset);
      while (true) {
        String line = log.readLine();
        if (line == null) {
          if (!supervisor.isAlive()) {
            return failed(state);
          }
          if (Instant.now().isAfter(deadline)) {
            System.err.println("up: not ready after " + UP_TIMEOUT + "; see " + state.logFile());
            return 1;
          }
          Thread.sleep(200);
          continue;
        }
        if (line.startsWith("[unitcell]") || line.startsWith("vitess:")) {
          System.out.println(line);
        }
        if (line.contains(Supervisor.READY)) {
          break;
        }
        if (line.contains("[unitcell] FAILED")) {
          supervisor.waitFor();
          return failed(state);
        }
      }
    }
    String token = jwt(state.jwtSecret(), "alice", Duration.ofDays(1));
    System.out.printf(
        """

        The router listens on http://127.0.0.1:%1$d. A first order (user alice, a dev token):

          TOKEN=$(./unitcell token alice)
          curl -s -X POST http://127.0.0.1:%1$d/orders -H "Authorization: Bearer $TOKEN" \\
            -H 'Idempotency-Key: first-order' -H 'Content-Type: application/json' \\
            -d '{"currency":"CNY","lines":[{"sku":"tea-1","quantity":2,"unitPriceCents":1990}]}'

        (token for alice, valid 24 h: %2$s)
        ./unitcell status shows the cells; ./unitcell down stops everything.
        """,
        port, token);
    return 0;
  }

  /** Prints the end of the supervisor's log (stack frames left out) after a failed start. */
  static int failed(LocalState state) throws IOException {
    List<String> lines =
        Files.readAllLines(state.logFile()).stream().filter(l -> !l.startsWith("\tat ")).toList();
    System.err.println("up: failed. The end of " + state.logFile() + ":");
    lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.err::println);
    return 1;
  }

  static int status(LocalState state) throws Exception {
    Optional<Integer> control = state.controlPort();
    if (state.supervisor().isEmpty() || control.isEmpty()) {
      System.out.println("unitcell is not running (./unitcell up starts it)");
      return 3;
    }
    HttpResponse<String> response = control(control.get(), "GET", "/status", 30);
    System.out.print(response.body());
    return response.statusCode() == 200 ? 0 : 1;
  }

  static int down(LocalState state, boolean wipe) throws Exception {
    Optional<ProcessHandle> supervisor = state.supervisor();
    List<ProcessHandle> children = supervisor.map(s -> s.descendants().toList()).orElse(List.of());
    if (supervisor.isPresent()) {
      System.out.println(
          "unitcell: stopping (pid "
              + supervisor.get().pid()
              + " and "
              + children.size()
              + " processes)");
      Optional<Integer> control = state.controlPort();
      if (control.isPresent()) {
        try {
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.get() + "/down"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
          supervisor.get().destroy();
        }
      } else {
        supervisor.get().destroy();
      }
      try {
        supervisor.get().onExit().get(120, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.out.println("unitcell: the supervisor did not stop in 120 s; killing it");
        supervisor.get().destroyForcibly();
      }
    } else {
      System.out.println("unitcell: the supervisor is not running");
    }
    // anything still running from this state directory is a leftover: say so, then stop it
    List<ProcessHandle> leftovers = new ArrayList<>(leftovers(state));
    children.stream()
        .filter(ProcessHandle::isAlive)
        .filter(p -> leftovers.stream().noneMatch(l -> l.pid() == p.pid()))
        .forEach(leftovers::add);
    for (ProcessHandle process : leftovers) {
      System.out.println(
          "unitcell: killing leftover pid "
              + process.pid()
              + ": "
              + process.info().commandLine().orElse("?"));
      process.destroyForcibly();
    }
    if (wipe) {
      try (Stream<Path> files = Files.walk(state.testbedDir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.nio.file.NoSuchFileException e) {
        // nothing to wipe
      }
      Files.deleteIfExists(state.tableFile());
      System.out.println("unitcell: logs and data deleted (" + state.testbedDir() + ")");
    } else {
      System.out.println(
          "unitcell: stopped; logs and data kept in "
              + state.testbedDir()
              + " (./unitcell up starts the platform again with them)");
    }
    return leftovers.isEmpty() ? 0 : 1;
  }

  /** Processes whose command line names this state directory (every child of the runtime does). */
  static List<ProcessHandle> leftovers(LocalState state) {
    String marker = state.dir().toString();
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
  }

  /** The options of {@code load}; {@code flashSale} and {@code stock} may be null. */
  record LoadOptions(
      int users, int rps, Duration duration, Path acked, String flashSale, Long stock) {

    /**
     * Parses {@code load}'s arguments; {@code acked} is the file when none is named.
     *
     * @throws IllegalArgumentException with the reason
     */
    static LoadOptions parse(List<String> args, Path acked) {
      int users = 1000;
      int rps = 10;
      Duration duration = Duration.ofSeconds(60);
      String flashSale = null;
      Long stock = null;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (!List.of("--users", "--rps", "--duration", "--acked", "--flash-sale", "--stock")
            .contains(arg)) {
          throw new IllegalArgumentException("unknown option " + arg);
        }
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        String value = args.get(++i);
        try {
          switch (arg) {
            case "--users" -> users = Integer.parseInt(value);
            case "--rps" -> rps = Integer.parseInt(value);
            case "--duration" -> duration = Cli.duration(value);
            case "--acked" -> acked = Path.of(value);
            case "--flash-sale" -> flashSale = FlashSales.checkSku(value);
            default -> stock = FlashSales.parseStock(value);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              arg
                  + " "
                  + value
                  + (arg.equals("--duration")
                      ? ": a duration such as 60s or 2m is needed"
                      : ": not a whole number"));
        }
      }
      if (users < 1 || rps < 1 || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("--users, --rps and --duration must be positive");
      }
      if (stock != null && flashSale == null) {
        throw new IllegalArgumentException("--stock is the stock of a --flash-sale SKU");
      }
      return new LoadOptions(users, rps, duration, acked, flashSale, stock);
    }
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
    HttpResponse<String> response =
        control(
            control.get(),
            "POST",
            "/flash-sales/"
                + options.flashSale()
                + (options.stock() == null ? "" : "?stock=" + options.stock()),
            60);
    System.out.println("flash sale " + options.flashSale() + ":");
    response.body().lines().forEach(line -> System.out.println("  " + line));
    if (response.statusCode() != 200) {
      System.err.println(
          "load: the flash sale is not open in every cell ("
              + response.statusCode()
              + "); no load sent");
      return false;
    }
    return true;
  }

  /** {@code 90s}, {@code 2m}, {@code 1h} or plain seconds. */
  static Duration duration(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a duration such as 60s or 2m is needed");
    }
    char unit = text.charAt(text.length() - 1);
    long amount =
        Long.parseLong(Character.isDigit(unit) ? text : text.substring(0, text.length() - 1));
    return switch (unit) {
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  static int verify(LocalState state, List<String> args) throws Exception {
    Duration wait = Verify.DEFAULT_WAIT;
    if (args.size() == 3 && args.get(1).equals("--wait")) {
      try {
        wait = duration(args.get(2));
      } catch (NumberFormatException e) {
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
    HttpResponse<String> response =
        control(control.get(), "POST", "/instances/" + args.get(0) + "/kill", 10);
    System.out.print(response.body());
    return response.statusCode() == 200 ? 0 : 1;
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
    HttpResponse<String> started =
        control(control.get(), "POST", to == null ? path : path + "?to=" + to, 30);
    if (started.statusCode() != 202) {
      System.err.print("switchover refused: " + started.body());
      return 1;
    }
    // follow its progress lines until it ends
    long printed = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> now = control(control.get(), "GET", path, 10);
      List<String> lines = now.body().lines().toList();
      String phase = lines.isEmpty() ? "" : lines.get(0).replace("phase ", "");
      List<String> progress = lines.subList(Math.min(1, lines.size()), lines.size());
      progress.stream().skip(printed).forEach(System.out::println);
      printed = Math.max(printed, progress.size());
      if (phase.equals("DONE")) {
        return 0;
      }
      if (phase.equals("ABORTED")) {
        return 1;
      }
      Thread.sleep(500);
    }
    System.err.println("switchover: still under way after 5 minutes; see ./unitcell status");
    return 1;
  }

  /** A request to the supervisor's control API on loopback, without a body. */
  private static HttpResponse<String> control(
      int port, String method, String pathAndQuery, int timeoutSeconds)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(timeoutSeconds))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int token(LocalState state, List<String> args) throws Exception {
    if (args.isEmpty()) {
      System.err.println("token: which user? ./unitcell token USER [--ttl SECONDS]");
      return 2;
    }
    long ttl = 86_400;
    int at = args.indexOf("--ttl");
    if (at >= 0 && at + 1 < args.size()) {
      ttl = Long.parseLong(args.get(at + 1));
    }
    System.out.println(jwt(state.jwtSecret(), args.get(0), Duration.ofSeconds(ttl)));
    return 0;
  }

  /** An HS256 JWT with {@code sub} and {@code exp}, as the router verifies them. */
  static String jwt(String secret, String user, Duration ttl) throws Exception {
    Base64Url b64 = new Base64Url();
    String header = b64.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    String claims =
        b64.encode(
            "{\"sub\":\""
                + user.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"exp\":"
                + Instant.now().plus(ttl).getEpochSecond()
                + "}");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] signature = mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
    return header + "." + claims + "." + b64.encode(signature);
  }

  private static final class Base64Url {
    private final java.util.Base64.Encoder encoder =
        java.util.Base64.getUrlEncoder().withoutPadding();

    String encode(String text) {
      return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    String encode(byte[] bytes) {
      return encoder.encodeToString(bytes);
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
