package io.unitcell.infra.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real process this JVM started and supervises: its output goes to {@code <logDir>/<name>.log},
 * which is kept after it ends; {@link #close} stops it and its children.
 */
public final class ManagedProcess implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(100);
  // processes still running when the JVM exits (an owner that never closed them) are killed
  private static final Set<ManagedProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(ManagedProcess::kill), "process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Path log;
  private final Process process;

  private ManagedProcess(String name, List<String> command, Path log, Process process) {
    this.name = name;
    this.command = List.copyOf(command);
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code command}, appending its stdout and stderr to {@code logDir/name.log}.
   *
   * @param env extra environment variables
   */
  public static ManagedProcess start(
      String name, List<String> command, Path logDir, Map<String, String> env, Path workDir) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      Files.writeString(
          log,
          "# " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      if (workDir != null) {
        Files.createDirectories(workDir);
        builder.directory(workDir.toFile());
      }
      builder.environment().putAll(env);
      ManagedProcess started = new ManagedProcess(name, command, log, builder.start());
      RUNNING.add(started);
      started.process.onExit().thenRun(() -> RUNNING.remove(started));
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Completes when the process has exited, however it ended. */
  public java.util.concurrent.CompletableFuture<Void> onExit() {
    return process.onExit().thenApply(p -> null);
  }

  /**
   * Polls {@code ready} until it answers true. Fails at once, with the end of the log, when the
   * process exits, and after {@code timeout} when it never gets ready.
   */
  public void awaitReady(Duration timeout, Callable<Boolean> ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with code "
                + process.exitValue()
                + " before it was ready; log "
                + log
                + ":\n"
                + tail(30));
      }
      try {
        if (Boolean.TRUE.equals(ready.call())) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      sleep(POLL);
    }
    throw new IllegalStateException(
        name
            + " not ready after "
            + timeout.toSeconds()
            + " s (last probe error: "
            + last
            + "); log "
            + log
            + ":\n"
            + tail(30));
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            name
                + " still running after "
                + timeout.toSeconds()
                + " s; log "
                + log
                + ":\n"
                + tail(30));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
  }

  /** The last {@code lines} lines of the log. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Kills the process and its children at once (SIGKILL), as a crash would. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitQuietly(Duration.ofSeconds(10));
  }

  /** Stops the process and its children: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!awaitQuietly(Duration.ofSeconds(10))) {
      kill();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private boolean awaitQuietly(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", " + String.join(" ", command) + ")";
  }

  /**
   * A TCP port free on the loopback interface now, for a process that will bind it later: below the
   * kernel's ephemeral range, so no outgoing connection takes it meanwhile ({@link FreePorts}).
   */
  public static int freePort() {
    return FreePorts.next();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
