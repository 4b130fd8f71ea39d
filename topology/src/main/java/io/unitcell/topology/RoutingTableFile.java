package io.unitcell.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Reads the routing table from a file (the local runtime's table, or a mounted ConfigMap, whose
 * updates arrive as a symlink swap) into a {@link RoutingTableHolder}. Call {@link #poll} on a
 * schedule: it reads only when the file changed, and an unreadable or invalid file keeps the table
 * held and says why.
 */
public final class RoutingTableFile {

  /** What one poll did. */
  public enum Outcome {
    UNCHANGED,
    APPLIED,
    IGNORED_NOT_NEWER,
    MISSING,
    INVALID
  }

  /** The outcome and, for a missing or invalid file, why. */
  public record Result(Outcome outcome, String detail) {}

  private final Path file;
  private final RoutingTableHolder holder;
  private Path lastReal;
  private FileTime lastModified;
  private long lastSize = -1;

  public RoutingTableFile(Path file, RoutingTableHolder holder) {
    this.file = file;
    this.holder = holder;
  }

  /** Reads the file if it changed since the last poll. */
  public synchronized Result poll() {
    Path real;
    FileTime modified;
    long size;
    try {
      // toRealPath follows a ConfigMap's ..data symlink to the file actually in place
      real = file.toRealPath();
      modified = Files.getLastModifiedTime(real);
      size = Files.size(real);
    } catch (IOException e) {
      return new Result(Outcome.MISSING, "routing table file " + file + " is not readable: " + e);
    }
    if (real.equals(lastReal) && modified.equals(lastModified) && size == lastSize) {
      return new Result(Outcome.UNCHANGED, null);
    }
    RoutingTable table;
    try {
      table = RoutingTable.fromJson(Files.readAllBytes(file));
    } catch (IOException e) {
      return new Result(Outcome.MISSING, "routing table file " + file + " is not readable: " + e);
    } catch (RoutingTable.InvalidRoutingTableException e) {
      remember(real, modified, size);
      return new Result(Outcome.INVALID, file + ": " + e.getMessage());
    }
    remember(real, modified, size);
    return holder.offer(table)
        ? new Result(Outcome.APPLIED, "epoch " + table.epoch())
        : new Result(
            Outcome.IGNORED_NOT_NEWER,
            "epoch " + table.epoch() + " is not newer than epoch " + holder.epoch());
  }

  private void remember(Path realPath, FileTime modified, long size) {
    lastReal = realPath;
    lastModified = modified;
    lastSize = size;
  }
}
