package io.unitcell.operator.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.operator.support.Conditions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reconcilers patch a status only when it is not {@code equals} to the one they read: every
 * field counts, and the API's JSON form reads back equal (Tier 0).
 */
class StatusEqualsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static CellStatus cellStatus() {
    CellStatus status = new CellStatus();
    status.setPhase(CellPhase.Serving);
    status.setActiveZone("zone-a");
    status.setSlots(256);
    status.setReplicas(2);
    status.setReadyReplicas(1);
    status.setSelector("unitcell.io/cell=cell-1,unitcell.io/role=active");
    status.setObservedGeneration(3L);
    status.setConditions(
        Conditions.with(null, Condition.READY, true, "InstancesReady", "1 of 2 ready", 3));
    return status;
  }

  static TopologyStatus topologyStatus() {
    TopologyStatus status = new TopologyStatus();
    status.setEpoch(7L);
    status.setSlotsByCell(Map.of("cell-1", 512, "cell-2", 512));
    status.setRoutingTable("shop-routing-table");
    status.setFenced(Map.of("cell-2", 6L));
    status.setPinnedSlots(Map.of("cell-1", 12));
    status.setObservedGeneration(2L);
    status.setConditions(
        Conditions.with(null, Condition.DRAINING, true, "Draining", "cell-2: fenced", 2));
    return status;
  }

  @Test
  void aStatusReadBackFromItsJsonIsEqual() throws Exception {
    for (Object status : List.of(cellStatus(), topologyStatus())) {
      Object read = JSON.readValue(JSON.writeValueAsString(status), status.getClass());
      assertThat(read).isEqualTo(status).hasSameHashCodeAs(status);
    }
  }

  @Test
  void anyChangedFieldMakesAStatusDiffer() throws Exception {
    for (Object status : List.of(cellStatus(), topologyStatus(), cellStatus().getConditions())) {
      Object subject = status instanceof List<?> list ? list.get(0) : status;
      for (Field field : subject.getClass().getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        field.setAccessible(true);
        Object changed = JSON.readValue(JSON.writeValueAsString(subject), subject.getClass());
        field.set(changed, other(field.get(changed)));
        assertThat(changed).as(field.getName()).isNotEqualTo(subject);
      }
    }
  }

  private static Object other(Object value) {
    if (value instanceof String s) {
      return s + "-changed";
    }
    if (value instanceof Integer i) {
      return i + 1;
    }
    if (value instanceof Long l) {
      return l + 1;
    }
    if (value instanceof CellPhase phase) {
      return phase == CellPhase.Serving ? CellPhase.Fenced : CellPhase.Serving;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> more = new HashMap<>(map);
      more.put("changed", null);
      return more;
    }
    if (value instanceof List<?> list) {
      List<Object> more = new ArrayList<>(list);
      more.add(new Condition());
      return more;
    }
    throw new IllegalArgumentException("no other value for " + value);
  }
}
