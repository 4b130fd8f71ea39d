package io.unitcell.infra.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text resources on the classpath (schemas, configuration templates). */
public final class Resources {

  private Resources() {}

  /** The UTF-8 text of {@code path} (absolute, e.g. {@code /vitess/extra-my.cnf}). */
  public static String text(Class<?> anchor, String path) {
    try (InputStream in = anchor.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + path, e);
    }
  }
}
