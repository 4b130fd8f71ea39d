package io.unitcell.operator.support;

import io.unitcell.operator.crds.v1alpha1.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Status conditions whose lastTransitionTime moves only when their status really flips. Types are
 * {@link Condition}'s constants; lists compare with {@code equals} (so do the statuses).
 */
public final class Conditions {
  private Conditions() {}

  /** {@code current} with condition {@code type} set; the others kept as they are. */
  public static List<Condition> with(
      List<Condition> current,
      String type,
      boolean status,
      String reason,
      String message,
      long generation) {
    List<Condition> next = new ArrayList<>();
    Condition previous = null;
    for (Condition condition : current == null ? List.<Condition>of() : current) {
      if (type.equals(condition.getType())) {
        previous = condition;
      } else {
        next.add(condition);
      }
    }
    Condition condition = new Condition();
    condition.setType(type);
    condition.setStatus(status ? "True" : "False");
    condition.setReason(reason);
    condition.setMessage(message);
    condition.setObservedGeneration(generation);
    condition.setLastTransitionTime(
        previous != null && Objects.equals(previous.getStatus(), condition.getStatus())
            ? previous.getLastTransitionTime()
            : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    next.add(condition);
    next.sort(Comparator.comparing(Condition::getType));
    return next;
  }
}
