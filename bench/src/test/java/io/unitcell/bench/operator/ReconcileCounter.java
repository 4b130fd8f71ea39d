package io.unitcell.bench.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.unitcell.bench.operator.ReconcileCounter.Reconcile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Counts reconciler executions through JOSDK's metrics hook (around reconcile and cleanup). */
final class ReconcileCounter implements Metrics {

  record Reconcile(
      String controller, String execution, ResourceID resource, long started, long nanos) {}

  private final List<Reconcile> reconciles = Collections.synchronizedList(new ArrayList<>());

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long started = System.nanoTime();
    try {
      return execution.execute();
    } finally {
      reconciles.add(
          new Reconcile(
              execution.controllerName(),
              execution.name(),
              execution.resourceID(),
              started,
              System.nanoTime() - started));
    }
  }

  int size() {
    return reconciles.size();
  }

  List<Reconcile> since(int mark) {
    synchronized (reconciles) {
      return List.copyOf(reconciles.subList(mark, reconciles.size()));
    }
  }

  long distinct(int mark, String controller) {
    return since(mark).stream()
        .filter(r -> r.controller().equals(controller))
        .map(Reconcile::resource)
        .distinct()
        .count();
  }
}
