package io.unitcell.local.cli;

import io.unitcell.local.control.ControlClient;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.manifest.Manifests.InvalidManifestException;
import io.unitcell.local.state.LocalState;
import io.unitcell.local.token.DevTokens;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./unitcell up} and {@code down}: starts the supervisor detached (its log in the state
 * directory), follows its log until it says READY, and stops it and everything it started.
 */
final class Lifecycle {

  private static final String SUPERVISOR = "io.unitcell.local.platform.Supervisor";
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);

  private Lifecycle() {}

  /**
   * The supervisor's classpath: this CLI's own jar and the infrastructure's libraries copied next
   * to it ({@code local/target/lib}); the CLI itself runs on the few jars it uses.
   */
  private static String supervisorClasspath() {
    try {
      Path self =
          Path.of(Lifecycle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return self + File.pathSeparator + self.resolveSibling("lib").resolve("*");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot tell where the CLI's jar is", e);
    }
  }

  static int up(LocalState state, List<String> args) throws Exception {
    Path manifest = Path.of("examples/local/topology.yaml");
    int port = 8080;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--port") && i + 1 < args.size()) {
        String value = args.get(++i);
        if (!value.matches("\\d{1,5}")
            || Integer.parseInt(value) < 1
            || Integer.parseInt(value) > 65535) {
          System.err.println("up: --port " + value + ": a port number 1-65535 is needed");
          return 2;
        }
        port = Integer.parseInt(value);
      } else if (!args.get(i).startsWith("--")) {
        manifest = Path.of(args.get(i));
      } else {
        System.err.println("up: unknown option " + args.get(i) + "\n" + Cli.USAGE);
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
      return Cli.status(state);
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
    command.add(supervisorClasspath());
    command.add(SUPERVISOR);
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
                new InputStreamReader(
                    Files.newInputStream(state.logFile()), StandardCharsets.UTF_8));
        WatchService changes = FileSystems.getDefault().newWatchService()) {
      state.dir().register(changes, StandardWatchEventKinds.ENTRY_MODIFY);
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
          // until the log grows; at most a second, to notice a supervisor that died silently
          WatchKey change = changes.poll(1, TimeUnit.SECONDS);
          if (change != null) {
            change.pollEvents();
            change.reset();
          }
          continue;
        }
        if (line.startsWith("[unitcell]") || line.startsWith("vitess:")) {
          System.out.println(line);
        }
        if (line.contains(LocalState.READY)) {
          break;
        }
        if (line.contains("[unitcell] FAILED")) {
          supervisor.waitFor();
          return failed(state);
        }
      }
    }
    String token = DevTokens.jwt(state.jwtSecret(), "alice", Duration.ofDays(1));
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
          new ControlClient(control.get()).send("POST", "/down", Duration.ofSeconds(10));
        } catch (IOException e) {
          supervisor.get().destroy();
        }
      } else {
        supervisor.get().destroy();
      }
      try {
        supervisor.get().onExit().get(120, TimeUnit.SECONDS);
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
      try (Stream<Path> files = Files.walk(state.platformDir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.nio.file.NoSuchFileException e) {
        // nothing to wipe
      }
      Files.deleteIfExists(state.tableFile());
      System.out.println("unitcell: logs and data deleted (" + state.platformDir() + ")");
    } else {
      System.out.println(
          "unitcell: stopped; logs and data kept in "
              + state.platformDir()
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
