package io.unitcell.operator.support;

import io.unitcell.operator.crds.v1alpha1.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Status conditions whose lastTransitionTime moves only when their status really flips. */
public final class Conditions {
  private Conditions() {}

  /** Whether two condition lists say the same (type, status, reason, message, transition time). */
  public static boolean same(List<Condition> a, List<Condition> b) {
    return text(a).equals(text(b));
  }

  private static String text(List<Condition> conditions) {
    StringBuilder text = new StringBuilder();
    for (Condition c : conditions == null ? List.<Condition>of() : conditions) {
      text.append(c.getType())
          .append('|')
          .append(c.getStatus())
          .append('|')
          .append(c.getReason())
          .append('|')
          .append(c.getMessage())
          .append('|')
          .append(c.getLastTransitionTime())
          .append('|')
          .append(c.getObservedGeneration())
          .append(';');
    }
    return text.toString();
  }

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
    next.sort(java.util.Comparator.comparing(Condition::getType));
    return next;
  }
}
