package io.unitcell.infra.vitess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code vtctldclient} commands. Each call keeps its stdout and log in {@code
 * <logDir>/NNN-<Command>.out|.log}, so a failed test shows what was asked of Vitess and in which
 * order.
 */
final class VtctldClient {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Path binary;
  private final List<String> serverFlags;
  private final Path logDir;
  private final Map<String, String> env;
  private final AtomicInteger sequence;

  private VtctldClient(
      Path binary,
      List<String> serverFlags,
      Path logDir,
      Map<String, String> env,
      AtomicInteger sequence) {
    this.binary = binary;
    this.serverFlags = List.copyOf(serverFlags);
    this.logDir = logDir;
    this.env = Map.copyOf(env);
    this.sequence = sequence;
  }

  /** A client of the vtctld at {@code grpcAddress}. */
  static VtctldClient remote(
      Path binary, String grpcAddress, Path logDir, Map<String, String> env) {
    return new VtctldClient(
        binary, List.of("--server", grpcAddress), logDir, env, new AtomicInteger());
  }

  /** A client that runs the vtctld RPCs in-process against the topology, before vtctld is up. */
  static VtctldClient internal(
      Path binary, List<String> topologyFlags, Path logDir, Map<String, String> env) {
    List<String> flags = new ArrayList<>(List.of("--server", "internal"));
    flags.addAll(topologyFlags);
    return new VtctldClient(binary, flags, logDir, env, new AtomicInteger());
  }

  /** The same log directory and numbering, talking to the vtctld at {@code grpcAddress}. */
  VtctldClient withServer(String grpcAddress) {
    return new VtctldClient(binary, List.of("--server", grpcAddress), logDir, env, sequence);
  }

  /** Runs one command and returns its stdout; fails with the output when it exits non-zero. */
  String run(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("no vtctldclient command given");
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(serverFlags);
    command.add("--logtostderr");
    command.addAll(List.of(args));
    String name = String.format("%03d-%s", sequence.incrementAndGet(), firstCommand(args));
    Path out = logDir.resolve(name + ".out");
    Path log = logDir.resolve(name + ".log");
    try {
      Files.createDirectories(logDir);
      Files.writeString(log, "# " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw failure(command, "did not finish in " + TIMEOUT.toSeconds() + " s", out, log);
      }
      if (process.exitValue() != 0) {
        throw failure(command, "exited with code " + process.exitValue(), out, log);
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  private static String firstCommand(String[] args) {
    for (String arg : args) {
      if (!arg.isEmpty() && Character.isUpperCase(arg.charAt(0))) {
        return arg;
      }
    }
    return "command";
  }

  private static IllegalStateException failure(
      List<String> command, String what, Path out, Path log) throws IOException {
    return new IllegalStateException(
        "vtctldclient "
            + what
            + ": "
            + String.join(" ", command.subList(1, command.size()))
            + "\nstdout:\n"
            + tail(out)
            + "\nlog "
            + log
            + ":\n"
            + tail(log));
  }

  private static String tail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
