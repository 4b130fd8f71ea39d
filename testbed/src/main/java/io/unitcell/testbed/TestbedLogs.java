package io.unitcell.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where tests keep the logs and data of the processes they start: {@code
 * target/testbed/<name>-<time>-<n>/} below the module being tested (Maven's working directory).
 */
public final class TestbedLogs {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");

  private TestbedLogs() {}

  /** A new, empty directory for one testbed instance. */
  public static Path newRunDirectory(String name) {
    Path dir =
        Path.of("target/testbed")
            .toAbsolutePath()
            .resolve(
                name + "-" + LocalDateTime.now().format(TIME) + "-" + SEQUENCE.incrementAndGet());
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
