package io.unitcell.bench.orderpath;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The cell-app's own database settings, so the raw JDBC side connects exactly as the app does. */
final class AppSettings {

  private static final String JDBC_PROPERTY_PREFIX =
      "quarkus.datasource.jdbc.additional-jdbc-properties.";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

  private AppSettings() {}

  /**
   * The Connector/J properties the app sets ({@code additional-jdbc-properties}, user), read from
   * its application.properties so the raw side connects exactly as the app does.
   */
  static Map<String, String> jdbcProperties(Path applicationProperties) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(applicationProperties, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + applicationProperties, e);
    }
    Map<String, String> jdbc = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(properties.stringPropertyNames());
    names.sort(null);
    for (String name : names) {
      if (name.startsWith(JDBC_PROPERTY_PREFIX)) {
        jdbc.put(
            name.substring(JDBC_PROPERTY_PREFIX.length()), resolve(properties.getProperty(name)));
      }
    }
    String user = properties.getProperty("quarkus.datasource.username");
    if (user != null) {
      jdbc.put("user", resolve(user));
    }
    if (jdbc.isEmpty()) {
      throw new IllegalStateException(
          "no " + JDBC_PROPERTY_PREFIX + "* in " + applicationProperties);
    }
    return jdbc;
  }

  /** {@code ${ENV_VAR:default}} as the app resolves it in this environment. */
  private static String resolve(String value) {
    Matcher m = PLACEHOLDER.matcher(value.trim());
    if (!m.matches()) {
      return value.trim();
    }
    String fromEnv = System.getenv(m.group(1));
    return fromEnv != null ? fromEnv : m.group(2) == null ? "" : m.group(2);
  }

  static String rawJdbcUrl(String base, Map<String, String> properties) {
    return base
        + "?"
        + properties.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("&"));
  }
}
