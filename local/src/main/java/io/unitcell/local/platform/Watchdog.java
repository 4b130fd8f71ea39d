package io.unitcell.local.platform;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a Deployment and a router's health checks would do: an instance that died is started again
 * on its port; while a cell has no live active instance, its warm standby takes the cell's traffic
 * (a new table epoch), and the restarted instance takes it back once ready. A cell in a switchover
 * is left alone: the switchover owns its route until it ends.
 */
final class Watchdog implements Runnable {

  private static final long PERIOD_MILLIS = 500;

  private final Instances instances;
  private final Tables tables;
  private final Predicate<String> switching;
  private final BooleanSupplier running;
  private final Consumer<String> say;
  private final Set<String> restarting = ConcurrentHashMap.newKeySet();

  Watchdog(
      Instances instances,
      Tables tables,
      Predicate<String> switching,
      BooleanSupplier running,
      Consumer<String> say) {
    this.instances = instances;
    this.tables = tables;
    this.switching = switching;
    this.running = running;
    this.say = say;
  }

  @Override
  public void run() {
    while (running.getAsBoolean()) {
      try {
        Thread.sleep(PERIOD_MILLIS);
        for (Instance instance : instances.all()) {
          if (instance.isAlive() || !restarting.add(instance.name())) {
            continue;
          }
          say.accept("instance " + instance.name() + " is down; starting it again");
          route(instance.cell());
          Thread restart = new Thread(() -> restart(instance), "restart-" + instance.name());
          restart.setDaemon(true);
          restart.start();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        say.accept("watchdog: " + e);
      }
    }
  }

  private void restart(Instance instance) {
    try {
      Instance again = instances.start(instance);
      instances.restarted(again);
      say.accept("instance " + again.name() + " is back on port " + again.port());
      route(again.cell());
    } catch (RuntimeException | IOException e) {
      say.accept("instance " + instance.name() + " did not come back: " + e.getMessage());
    } finally {
      restarting.remove(instance.name());
    }
  }

  private void route(String cell) throws IOException {
    tables.route(cell, instances, switching);
  }
}
