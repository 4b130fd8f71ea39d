package io.unitcell.local.platform;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a Deployment and a router's health checks would do: the moment an instance's process exits,
 * it is started again on its port (and again a second later while that fails); while a cell has no
 * live active instance, its warm standby takes the cell's traffic (a new table epoch), and the
 * restarted instance takes it back once ready. A cell in a switchover is left alone: the switchover
 * owns its route until it ends.
 */
final class Watchdog {

  private static final long RETRY_SECONDS = 1;

  private final Instances instances;
  private final Tables tables;
  private final Predicate<String> switching;
  private final BooleanSupplier running;
  private final Consumer<String> say;
  private final ExecutorService restarts =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "unitcell-restart");
            thread.setDaemon(true);
            return thread;
          });

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

  /** Watches every instance started so far. */
  void watchAll() {
    instances.all().forEach(this::watch);
  }

  private void watch(Instance instance) {
    instance.app().onExit().thenRunAsync(() -> exited(instance), restarts);
  }

  private void exited(Instance instance) {
    if (!running.getAsBoolean()) {
      return; // the platform is going down
    }
    say.accept("instance " + instance.name() + " is down; starting it again");
    route(instance.cell());
    restart(instance);
  }

  private void restart(Instance instance) {
    if (!running.getAsBoolean()) {
      return;
    }
    try {
      Instance again = instances.start(instance);
      instances.restarted(again);
      say.accept("instance " + again.name() + " is back on port " + again.port());
      watch(again);
      route(again.cell());
    } catch (RuntimeException e) {
      say.accept(
          "instance " + instance.name() + " did not come back: " + e.getMessage() + "; again");
      Executor later = CompletableFuture.delayedExecutor(RETRY_SECONDS, TimeUnit.SECONDS, restarts);
      later.execute(() -> restart(instance));
    }
  }

  private void route(String cell) {
    try {
      tables.route(cell, instances, switching);
    } catch (IOException e) {
      say.accept("watchdog: the routing table of " + cell + " was not published: " + e);
    }
  }
}
