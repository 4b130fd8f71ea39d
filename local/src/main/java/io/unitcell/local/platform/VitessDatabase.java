package io.unitcell.local.platform;

import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.infra.vitess.VitessTablet;
import io.unitcell.local.switchover.LocalSwitchover;
import io.unitcell.topology.Switchover.TabletPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A cell's keyspace of the local Vitess cluster as a switchover sees it. The state machine compares
 * positions as transaction counts within one shard; they come from the tablets' executed GTID sets.
 */
final class VitessDatabase implements LocalSwitchover.Database {

  private final VitessCluster vitess;
  private final String keyspace;
  private final UnaryOperator<String> zoneOfVitessCell;

  VitessDatabase(VitessCluster vitess, String keyspace, UnaryOperator<String> zoneOfVitessCell) {
    this.vitess = vitess;
    this.keyspace = keyspace;
    this.zoneOfVitessCell = zoneOfVitessCell;
  }

  @Override
  public List<TabletPosition> positions() {
    List<TabletPosition> tablets = new ArrayList<>();
    for (String shard : vitess.shards()) {
      for (VitessCluster.Position p : vitess.replicationPositions(keyspace, shard)) {
        tablets.add(
            new TabletPosition(
                shard,
                p.tablet().alias(),
                zoneOfVitessCell.apply(p.tablet().zone()),
                p.primary(),
                p.reachable(),
                p.transactions()));
      }
    }
    return tablets;
  }

  @Override
  public long reparent(String shard, String alias) {
    VitessTablet target =
        vitess.tablets().stream()
            .filter(t -> t.alias().equals(alias))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no tablet " + alias));
    vitess.reparent(keyspace, shard, target.zone());
    return vitess.replicationPositions(keyspace, shard).stream()
        .filter(p -> p.tablet().equals(target))
        .mapToLong(VitessCluster.Position::transactions)
        .findFirst()
        .orElse(-1);
  }
}
