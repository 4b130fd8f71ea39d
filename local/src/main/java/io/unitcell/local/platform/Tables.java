package io.unitcell.local.platform;

import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.Switchover;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The routing table in force and its file, which the router and every instance read. Every change
 * goes through this one lock, so a switchover's steps and the watchdog's re-routing never
 * interleave; each change is published before the next one is computed.
 */
final class Tables {

  private final Path file;
  private final Consumer<String> say;
  private volatile RoutingTable table;

  Tables(Path file, Consumer<String> say) {
    this.file = file;
    this.say = say;
  }

  RoutingTable current() {
    return table;
  }

  synchronized void publish(RoutingTable next) throws IOException {
    table = next;
    // written to a temporary file and moved: readers never see half a table
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, next.toJson());
    Files.move(
        temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A switchover's step, computed from the table in force; publishes the table it names. */
  synchronized Switchover.Step step(Function<RoutingTable, Switchover.Step> next)
      throws IOException {
    Switchover.Step step = next.apply(table);
    if (step.table().isPresent()) {
      publish(step.table().get());
    }
    return step;
  }

  /**
   * Points {@code cell}'s route at its live active instances, else at its live standby ones (what a
   * router's health checks would do); nothing when it has none alive, nothing changes, or it is
   * {@code switching} (the switchover owns its route until it ends; asked under this lock, which a
   * switchover's start holds too).
   */
  synchronized void route(String cell, Instances instances, Predicate<String> switching)
      throws IOException {
    if (switching.test(cell)) {
      return;
    }
    List<Instance> live = instances.ofCell(cell).stream().filter(Instance::isAlive).toList();
    List<String> active =
        live.stream().filter(Instance::active).map(Instance::endpoint).sorted().toList();
    List<String> endpoints =
        !active.isEmpty() ? active : live.stream().map(Instance::endpoint).sorted().toList();
    if (endpoints.isEmpty() || endpoints.equals(table.route(cell).endpoints())) {
      return;
    }
    publish(table.nextWithRoute(cell, r -> r.inZone(r.zone(), endpoints)));
    say.accept(
        "routing table epoch "
            + table.epoch()
            + ": "
            + cell
            + " served by "
            + (active.isEmpty() ? "its warm standby " : "")
            + endpoints);
  }
}
