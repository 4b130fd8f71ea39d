package io.unitcell.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.operator.crds.v1alpha1.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Conditions}, without an API server (Tier 0). */
class ConditionsTest {

  @Test
  void aConditionKeepsItsTransitionTimeUntilItsStatusFlips() {
    List<Condition> first =
        Conditions.with(null, Condition.READY, false, "NoReadyInstance", "0 of 2", 1);
    first.get(0).setLastTransitionTime("2026-01-01T00:00:00Z");
    List<Condition> same =
        Conditions.with(first, Condition.READY, false, "NoReadyInstance", "0 of 3", 2);
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    List<Condition> flipped =
        Conditions.with(same, Condition.READY, true, "InstancesReady", "1 of 3", 2);
    assertThat(flipped.get(0).getLastTransitionTime()).isNotEqualTo("2026-01-01T00:00:00Z");
    assertThat(flipped.get(0).getStatus()).isEqualTo("True");
  }
}
