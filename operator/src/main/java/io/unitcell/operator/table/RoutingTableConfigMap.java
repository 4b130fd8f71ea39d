package io.unitcell.operator.table;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.Labels;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.RoutingTable.InvalidRoutingTableException;
import java.util.BitSet;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The ConfigMap a topology's routing table is published in ({@link TableNames}): the table as JSON
 * under {@link TableNames#KEY} (what routers and cells read), and the drains' bookkeeping as
 * annotations, written in the same request as the table they belong to: the cells fenced for a
 * drain with their fence epochs ({@link #FENCED_ANNOTATION}) and the slots drains gave to cells
 * ({@link #PINNED_ANNOTATION}). Every reader and writer of the operator goes through here.
 */
public final class RoutingTableConfigMap {
  private RoutingTableConfigMap() {}

  /** Annotation of the table's ConfigMap: cells fenced for a drain and their fence epochs. */
  public static final String FENCED_ANNOTATION = "unitcell.io/fenced";

  /** Annotation of the table's ConfigMap: slots drains gave to cells, never moved by planning. */
  public static final String PINNED_ANNOTATION = "unitcell.io/pinned-slots";

  /**
   * The ConfigMap publishing {@code table} for {@code topology}, owned by it (deleting the topology
   * deletes it).
   *
   * @param fenced cells fenced for a drain → the epoch their fence was published at
   * @param pinned slots each cell holds from drains
   */
  public static ConfigMap build(
      Topology topology, RoutingTable table, Map<String, Long> fenced, Map<String, BitSet> pinned) {
    String name = topology.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata()
        .addToAnnotations(FENCED_ANNOTATION, encodeFenced(fenced))
        .addToAnnotations(PINNED_ANNOTATION, encodePinned(pinned))
        .withName(TableNames.configMap(name))
        .withNamespace(topology.getMetadata().getNamespace())
        .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR)
        .addToLabels(Labels.TOPOLOGY, name)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(topology.getApiVersion())
                .withKind(topology.getKind())
                .withName(name)
                .withUid(topology.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withData(Map.of(TableNames.KEY, table.toJson()))
        .build();
  }

  /** The table in a published ConfigMap, or null when there is none or it is damaged. */
  public static RoutingTable table(ConfigMap published) {
    if (published == null
        || published.getData() == null
        || !published.getData().containsKey(TableNames.KEY)) {
      return null;
    }
    try {
      return RoutingTable.fromJson(published.getData().get(TableNames.KEY));
    } catch (InvalidRoutingTableException e) {
      // a damaged table is replaced, never trusted; its epoch is lost, so routers keep theirs
      return null;
    }
  }

  /** The fence epochs a published ConfigMap records; empty without (unreadable entries dropped). */
  public static Map<String, Long> fenced(ConfigMap published) {
    return decodeFenced(annotation(published, FENCED_ANNOTATION));
  }

  /** The pinned slots a published ConfigMap records; empty without (unreadable entries dropped). */
  public static Map<String, BitSet> pinned(ConfigMap published) {
    return decodePinned(annotation(published, PINNED_ANNOTATION));
  }

  /** Whether two ConfigMaps record the same fences and pinned slots (as written, not decoded). */
  public static boolean sameDrains(ConfigMap a, ConfigMap b) {
    return Objects.equals(annotation(a, FENCED_ANNOTATION), annotation(b, FENCED_ANNOTATION))
        && Objects.equals(annotation(a, PINNED_ANNOTATION), annotation(b, PINNED_ANNOTATION));
  }

  private static String annotation(ConfigMap map, String key) {
    return map == null || map.getMetadata().getAnnotations() == null
        ? null
        : map.getMetadata().getAnnotations().get(key);
  }

  /** Fence epochs as kept on the ConfigMap: {@code cell=epoch,...}. */
  static String encodeFenced(Map<String, Long> fenced) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(fenced)
        .forEach(
            (cell, epoch) ->
                text.append(text.length() == 0 ? "" : ",").append(cell).append('=').append(epoch));
    return text.toString();
  }

  /** The inverse of {@link #encodeFenced}; unreadable entries are dropped. */
  static Map<String, Long> decodeFenced(String text) {
    Map<String, Long> fenced = new TreeMap<>();
    if (text != null && !text.isBlank()) {
      for (String entry : text.split(",")) {
        String[] parts = entry.split("=", 2);
        try {
          fenced.put(parts[0].trim(), Long.parseLong(parts[1].trim()));
        } catch (RuntimeException e) {
          // a hand-edited entry: dropped, so that cell is fenced again (never moved unfenced)
        }
      }
    }
    return fenced;
  }

  /** Pinned slots as kept on the ConfigMap: {@code cell=0-99,200;cell2=5-9}. */
  static String encodePinned(Map<String, BitSet> pinned) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(pinned)
        .forEach(
            (cell, slots) -> {
              text.append(text.length() == 0 ? "" : ";").append(cell).append('=');
              int from = slots.nextSetBit(0);
              boolean first = true;
              while (from >= 0) {
                int to = slots.nextClearBit(from) - 1;
                text.append(first ? "" : ",").append(from);
                if (to > from) {
                  text.append('-').append(to);
                }
                first = false;
                from = slots.nextSetBit(to + 1);
              }
            });
    return text.toString();
  }

  /** The inverse of {@link #encodePinned}; unreadable entries are dropped. */
  static Map<String, BitSet> decodePinned(String text) {
    Map<String, BitSet> pinned = new TreeMap<>();
    if (text != null && !text.isBlank()) {
      for (String entry : text.split(";")) {
        String[] parts = entry.split("=", 2);
        try {
          BitSet slots = new BitSet();
          for (String range : parts[1].split(",")) {
            String[] ends = range.trim().split("-", 2);
            int from = Integer.parseInt(ends[0]);
            int to = ends.length == 2 ? Integer.parseInt(ends[1]) : from;
            slots.set(from, to + 1);
          }
          pinned.put(parts[0].trim(), slots);
        } catch (RuntimeException e) {
          // a hand-edited entry: dropped; the slots become free for planning again
        }
      }
    }
    return pinned;
  }
}
