package io.unitcell.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.RoutingTableFile.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTableFileTest {

  @TempDir Path dir;

  final RoutingTableHolder holder = new RoutingTableHolder();

  static RoutingTable table(long epoch) {
    return RoutingTable.of(
        epoch,
        Planner.assign(1024, List.of(new CellWeight("cell-1", 1), new CellWeight("cell-2", 1))),
        Map.of(
            "cell-1", CellRoute.serving("zone-a", "a:1"),
            "cell-2", CellRoute.serving("zone-b", "b:1")));
  }

  void write(Path file, String json, int secondsLater) throws Exception {
    Path tmp = Files.createTempFile(dir, "table", ".json");
    Files.writeString(tmp, json);
    Files.setLastModifiedTime(
        tmp, FileTime.from(Instant.parse("2026-11-11T00:00:00Z").plusSeconds(secondsLater)));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void appliesNewerTablesOnlyAndKeepsTheHeldOneOnBadFiles() throws Exception {
    Path file = dir.resolve("routing-table.json");
    RoutingTableFile source = new RoutingTableFile(file, holder);

    assertThat(source.poll().outcome()).isEqualTo(Outcome.MISSING);
    assertThat(holder.epoch()).isEqualTo(-1);

    write(file, table(5).toJson(), 1);
    assertThat(source.poll().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(holder.epoch()).isEqualTo(5);
    assertThat(source.poll().outcome()).isEqualTo(Outcome.UNCHANGED);

    write(file, table(4).toJson(), 2);
    assertThat(source.poll())
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.IGNORED_NOT_NEWER))
        .satisfies(r -> assertThat(r.detail()).isEqualTo("epoch 4 is not newer than epoch 5"));
    assertThat(holder.epoch()).isEqualTo(5);

    write(file, "{\"epoch\": 9, \"slotCount\": 4, \"slots\": [], \"cells\": {}}", 3);
    assertThat(source.poll())
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.INVALID))
        .satisfies(r -> assertThat(r.detail()).contains("slots 0-3 are not owned by any cell"));
    assertThat(holder.epoch()).isEqualTo(5);

    RoutingTable fenced = table(6).nextWithRoute("cell-1", r -> r.withState(CellState.FENCED));
    write(file, fenced.toJson(), 4);
    assertThat(source.poll().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(holder.current()).isEqualTo(fenced);
  }

  @Test
  void followsAConfigMapStyleSymlinkSwap() throws Exception {
    Files.createDirectories(dir.resolve("v1"));
    Files.createDirectories(dir.resolve("v2"));
    Files.writeString(dir.resolve("v1/routing-table.json"), table(1).toJson());
    Files.writeString(dir.resolve("v2/routing-table.json"), table(2).toJson());
    // same size and time stamp: only the symlink target tells the files apart
    FileTime stamp = FileTime.from(Instant.parse("2026-11-11T00:00:00Z"));
    Files.setLastModifiedTime(dir.resolve("v1/routing-table.json"), stamp);
    Files.setLastModifiedTime(dir.resolve("v2/routing-table.json"), stamp);
    Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("v1"));
    Path file = dir.resolve("routing-table.json");
    Files.createSymbolicLink(file, dir.resolve("..data/routing-table.json"));
    RoutingTableFile source = new RoutingTableFile(file, holder);
    assertThat(source.poll().outcome()).isEqualTo(Outcome.APPLIED);

    Path next = dir.resolve("..data_tmp");
    Files.createSymbolicLink(next, dir.resolve("v2"));
    Files.move(
        next,
        dir.resolve("..data"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    assertThat(source.poll().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(holder.epoch()).isEqualTo(2);
  }
}
