package io.unitcell.infra.vitess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a cluster directory keeps so that a stopped cluster can be started again: its shape (zones,
 * shards, keyspaces and their primary zones) and every port it was given, in the order it asked for
 * them (replicas' sources and etcd's peer address are stored with the data, so the same ports must
 * come back). Written once a fresh cluster is up; a directory without it holds nothing that can be
 * resumed.
 */
final class ClusterLayout {

  private static final String FILE = "cluster.properties";

  private ClusterLayout() {}

  /** What must match for a kept cluster to be started again. */
  static String describe(
      Map<String, String> primaryZones, List<String> zones, List<String> shards) {
    return "zones " + zones + ", shards " + shards + ", keyspaces " + primaryZones;
  }

  static boolean exists(Path directory) {
    return Files.exists(directory.resolve(FILE));
  }

  /**
   * The ports of the cluster kept in {@code directory}, if it holds one of shape {@code cluster};
   * empty when it holds none. Fails when it holds a cluster of another shape.
   */
  static Optional<List<Integer>> keptPorts(Path directory, String cluster) {
    Path file = directory.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties saved = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      saved.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (!cluster.equals(saved.getProperty("cluster"))) {
      throw new IllegalStateException(
          directory
              + " holds another cluster ("
              + saved.getProperty("cluster")
              + ", not "
              + cluster
              + "); delete it to start afresh");
    }
    return Optional.of(
        Stream.of(saved.getProperty("ports", "").split(","))
            .filter(p -> !p.isBlank())
            .map(Integer::valueOf)
            .toList());
  }

  static void save(Path directory, String cluster, List<Integer> ports) {
    Properties layout = new Properties();
    layout.setProperty("cluster", cluster);
    layout.setProperty(
        "ports", ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
    try (var out = Files.newBufferedWriter(directory.resolve(FILE))) {
      layout.store(out, "a Vitess cluster started by VitessCluster; its ports, in order");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + directory.resolve(FILE), e);
    }
  }

  /** An empty {@code directory} for a new cluster; what a start that never finished left goes. */
  static void prepareEmpty(Path directory, java.util.function.Consumer<String> progress) {
    try {
      if (Files.exists(directory)) {
        try (Stream<Path> files = Files.list(directory)) {
          if (files.findAny().isPresent()) {
            progress.accept("vitess: deleting an unfinished cluster in " + directory);
          }
        }
        try (Stream<Path> files = Files.walk(directory)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            if (!file.equals(directory)) {
              Files.delete(file);
            }
          }
        }
      }
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + directory, e);
    }
  }
}
