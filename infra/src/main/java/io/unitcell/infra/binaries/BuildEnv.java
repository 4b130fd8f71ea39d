package io.unitcell.infra.binaries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings a build script wrote ({@code NAME=value} lines in {@code ~/.cache/unitcell/<file>},
 * or below {@code $UNITCELL_CACHE}), overridden by environment variables of the same names. A
 * missing setting or binary fails loudly with the command that builds it; nobody skips for want of
 * one.
 */
public final class BuildEnv {

  private final Map<String, String> values;
  private final String buildHint;

  private BuildEnv(Map<String, String> values, String buildHint) {
    this.values = values;
    this.buildHint = buildHint;
  }

  /** The cache directory the build scripts write to. */
  public static Path cacheDirectory() {
    String cache = System.getenv("UNITCELL_CACHE");
    return cache != null
        ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache/unitcell");
  }

  /**
   * Reads {@code fileName} in the cache directory and the environment's {@code UNITCELL_*} and
   * {@code KUBE_API_TEST_DIR} variables.
   *
   * @param buildHint what to run when something is missing, e.g. {@code run infra/build.sh}
   */
  public static BuildEnv read(String fileName, String buildHint) {
    Map<String, String> values = new HashMap<>();
    Path file = cacheDirectory().resolve(fileName);
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file)) {
          int eq = line.indexOf('=');
          if (eq > 0 && !line.startsWith("#")) {
            values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("UNITCELL_") || k.equals("KUBE_API_TEST_DIR")) {
                values.put(k, v);
              }
            });
    if (values.isEmpty()) {
      throw new IllegalStateException("nothing is built: no " + file + "; " + buildHint);
    }
    return new BuildEnv(values, buildHint);
  }

  /** The setting {@code name}; fails when it is missing. */
  public String value(String name) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("build setting " + name + " is missing; " + buildHint);
    }
    return value;
  }

  /** The executable {@code name} in the directory that setting {@code dirVariable} names. */
  public Path binary(String dirVariable, String name) {
    return requireExecutable(Path.of(value(dirVariable), name));
  }

  /** {@code path}, when it is an executable file; fails with the build hint otherwise. */
  public Path requireExecutable(Path path) {
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("binary " + path + " is missing; " + buildHint);
    }
    return path;
  }
}
