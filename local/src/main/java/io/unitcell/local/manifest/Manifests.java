package io.unitcell.local.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.unitcell.topology.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code Topology} and {@code Cell} manifests the operator reconciles (crds/), read for the
 * local runtime: one Topology and the Cells naming it, checked as the CRDs and the admission
 * policies would (zones of the topology, standby ≠ primary, DNS-label names).
 */
public final class Manifests {

  /** A zone of the topology and the Vitess cell name it runs as (no {@code -} allowed there). */
  public record Zone(String name, String region) {
    public String vitessCell() {
      return name.replace("-", "");
    }
  }

  public record Topology(String name, int slots, List<Zone> zones) {
    public Zone zone(String name) {
      return zones.stream().filter(z -> z.name().equals(name)).findFirst().orElseThrow();
    }
  }

  /**
   * @param keyspace the cell's own Vitess keyspace (spec.database.keyspace)
   */
  public record Cell(
      String name,
      String topology,
      String primaryZone,
      String standbyZone,
      int weight,
      String keyspace) {}

  public record Loaded(Topology topology, List<Cell> cells) {
    /** The cell named {@code name}; fails for a name the manifest does not have. */
    public Cell cell(String name) {
      return cells.stream()
          .filter(c -> c.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no cell " + name));
    }

    /** The cell named {@code name}, if the manifest has it. */
    public java.util.Optional<Cell> findCell(String name) {
      return cells.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The manifest's zone whose Vitess cell is {@code vitessCell}. */
    public String zoneOfVitessCell(String vitessCell) {
      return topology.zones().stream()
          .filter(z -> z.vitessCell().equals(vitessCell))
          .map(Zone::name)
          .findFirst()
          .orElse(vitessCell);
    }
  }

  /** A manifest that cannot run, with every reason found. */
  public static final class InvalidManifestException extends RuntimeException {
    public InvalidManifestException(Path file, List<String> problems) {
      super(file + ":\n  - " + String.join("\n  - ", problems));
    }
  }

  private Manifests() {}

  public static Loaded read(Path file) {
    List<JsonNode> documents = new ArrayList<>();
    try {
      ObjectReader reader = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class);
      try (var values = reader.<JsonNode>readValues(Files.newBufferedReader(file))) {
        while (values.hasNext()) {
          JsonNode document = values.next();
          if (document != null && !document.isMissingNode() && !document.isNull()) {
            documents.add(document);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    List<Topology> topologies = new ArrayList<>();
    List<Cell> cells = new ArrayList<>();
    for (JsonNode document : documents) {
      String kind = document.path("kind").asText("");
      String name = document.path("metadata").path("name").asText("");
      JsonNode spec = document.path("spec");
      if (!Names.isDnsLabel(name)) {
        problems.add(kind + " '" + name + "': metadata.name " + Names.DNS_LABEL_RULE);
        continue;
      }
      switch (kind) {
        case "Topology" -> {
          List<Zone> zones = new ArrayList<>();
          spec.path("zones")
              .forEach(
                  z -> zones.add(new Zone(z.path("name").asText(""), z.path("region").asText(""))));
          topologies.add(new Topology(name, spec.path("slots").asInt(1024), zones));
        }
        case "Cell" ->
            cells.add(
                new Cell(
                    name,
                    spec.path("topology").asText(""),
                    spec.path("primaryZone").asText(""),
                    spec.path("standbyZone").asText(""),
                    spec.path("weight").asInt(1),
                    spec.path("database").path("keyspace").asText(name.replace('-', '_'))));
        default -> problems.add("kind '" + kind + "' of " + name + ": expected Topology or Cell");
      }
    }
    if (topologies.size() != 1) {
      problems.add("expected exactly one Topology, found " + topologies.size());
      throw new InvalidManifestException(file, problems);
    }
    Topology topology = topologies.get(0);
    if (topology.slots() < 1 || topology.slots() > 65536) {
      problems.add("Topology " + topology.name() + ": slots must be 1-65536");
    }
    Set<String> zoneNames = new HashSet<>();
    Set<String> vitessCells = new HashSet<>();
    for (Zone zone : topology.zones()) {
      if (!Names.isDnsLabel(zone.name()) || !zoneNames.add(zone.name())) {
        problems.add("zone '" + zone.name() + "': a DNS label, unique in the topology");
      } else if (!vitessCells.add(zone.vitessCell())) {
        problems.add("zones " + zoneNames + " collide once '-' is dropped (Vitess cell names)");
      }
    }
    if (topology.zones().size() < 2) {
      problems.add("Topology " + topology.name() + ": at least 2 zones (active and standby)");
    }
    Set<String> keyspaces = new HashSet<>();
    for (Cell cell : cells) {
      String where = "Cell " + cell.name() + ": ";
      if (!cell.topology().equals(topology.name())) {
        problems.add(where + "topology '" + cell.topology() + "' is not " + topology.name());
      }
      for (String zone : List.of(cell.primaryZone(), cell.standbyZone())) {
        if (!zoneNames.contains(zone)) {
          problems.add(where + "zone '" + zone + "' is not a zone of topology " + topology.name());
        }
      }
      if (cell.primaryZone().equals(cell.standbyZone())) {
        problems.add(where + "standbyZone must differ from primaryZone");
      }
      if (cell.weight() < 1) {
        problems.add(where + "weight must be at least 1");
      }
      if (!cell.keyspace().matches("[a-zA-Z0-9_]{1,64}") || !keyspaces.add(cell.keyspace())) {
        problems.add(
            where + "keyspace '" + cell.keyspace() + "': [a-zA-Z0-9_]{1,64}, one per cell");
      }
    }
    if (cells.isEmpty()) {
      problems.add("no Cell names topology " + topology.name());
    }
    if (!problems.isEmpty()) {
      throw new InvalidManifestException(file, problems);
    }
    return new Loaded(topology, List.copyOf(cells));
  }
}
