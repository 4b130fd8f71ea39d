package io.unitcell.operator.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.unitcell.operator.Samples;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing-table ConfigMap as written and read back, without an API server (Tier 0). */
class RoutingTableConfigMapTest {

  static RoutingTable table() {
    String[] owners = new String[8];
    Arrays.fill(owners, 0, 4, "cell-a");
    Arrays.fill(owners, 4, 8, "cell-b");
    return RoutingTable.of(
        3,
        owners,
        Map.of(
            "cell-a",
            new CellRoute("zone-a", List.of("cell-a.ns.svc:8080"), CellState.SERVING),
            "cell-b",
            new CellRoute("zone-b", List.of("cell-b.ns.svc:8080"), CellState.FENCED)));
  }

  @Test
  void aBuiltConfigMapReadsBackAsTheSameTableFencesAndPins() {
    Topology topology = Samples.topology("ns", "shop", "zone-a", "zone-b");
    topology.getMetadata().setUid("uid-1");
    BitSet pinned = new BitSet();
    pinned.set(4, 8);
    ConfigMap map =
        RoutingTableConfigMap.build(
            topology, table(), Map.of("cell-b", 3L), Map.of("cell-b", pinned));

    assertThat(map.getMetadata().getName()).isEqualTo("shop-routing-table");
    assertThat(map.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(map.getMetadata().getLabels())
        .containsEntry("unitcell.io/topology", "shop")
        .containsEntry("app.kubernetes.io/managed-by", "unitcell-operator");
    assertThat(map.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getUid()).isEqualTo("uid-1"));
    assertThat(map.getData()).containsOnlyKeys("routing-table.json");
    assertThat(RoutingTableConfigMap.table(map)).isEqualTo(table());
    assertThat(RoutingTableConfigMap.fenced(map)).containsExactly(Map.entry("cell-b", 3L));
    assertThat(RoutingTableConfigMap.pinned(map)).containsExactly(Map.entry("cell-b", pinned));
    assertThat(
            RoutingTableConfigMap.sameDrains(
                map, RoutingTableConfigMap.build(topology, table(), Map.of(), Map.of())))
        .isFalse();
    assertThat(
            RoutingTableConfigMap.sameDrains(
                map,
                RoutingTableConfigMap.build(
                    topology, table(), Map.of("cell-b", 3L), Map.of("cell-b", pinned))))
        .isTrue();
  }

  @Test
  void aMissingOrDamagedTableReadsAsNone() {
    assertThat(RoutingTableConfigMap.table(null)).isNull();
    assertThat(RoutingTableConfigMap.fenced(null)).isEmpty();
    assertThat(RoutingTableConfigMap.pinned(null)).isEmpty();
    ConfigMap damaged =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(TableNames.configMap("shop"))
            .endMetadata()
            .withData(Map.of(TableNames.KEY, "{not json"))
            .build();
    assertThat(RoutingTableConfigMap.table(damaged)).isNull();
    assertThat(RoutingTableConfigMap.fenced(damaged)).isEmpty();
  }

  @Test
  void fencesAndPinsSurviveTheirTextForm() {
    BitSet slots = new BitSet();
    slots.set(0, 100);
    slots.set(200);
    slots.set(500, 502);
    Map<String, BitSet> pinned = Map.of("cell-a", slots, "cell-b", BitSet.valueOf(new long[] {6}));
    String text = RoutingTableConfigMap.encodePinned(pinned);
    assertThat(text).isEqualTo("cell-a=0-99,200,500-501;cell-b=1-2");
    assertThat(RoutingTableConfigMap.decodePinned(text)).isEqualTo(pinned);
    assertThat(
            RoutingTableConfigMap.decodeFenced(
                RoutingTableConfigMap.encodeFenced(Map.of("cell-c", 7L, "cell-d", 9L))))
        .containsExactly(Map.entry("cell-c", 7L), Map.entry("cell-d", 9L));
    assertThat(RoutingTableConfigMap.decodeFenced("cell-c=x,cell-d=3"))
        .containsExactly(Map.entry("cell-d", 3L));
    assertThat(RoutingTableConfigMap.decodePinned("")).isEmpty();
    assertThat(
            Arrays.asList(
                RoutingTableConfigMap.decodePinned("cell-a=oops;cell-b=4").keySet().toArray()))
        .containsExactly("cell-b");
  }
}
