package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed for a cell. */
public class CellStatus {

  @JsonPropertyDescription(
      "Pending (not in the routing table yet, or no instance ready), Serving, Fenced (held for a"
          + " drain), Drained (its slots moved to spec.drain.to) or Down (marked down in the"
          + " table).")
  private CellPhase phase;

  @JsonPropertyDescription("The zone serving the cell now.")
  private String activeZone;

  @JsonPropertyDescription("Slots the cell owns in the published routing table.")
  private Integer slots;

  @JsonPropertyDescription("Instances in the active zone.")
  @StatusReplicas
  private Integer replicas;

  @JsonPropertyDescription("Ready instances in the active zone.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Label selector of the active zone's pods (for the scale subresource).")
  @LabelSelector
  private String selector;

  @JsonPropertyDescription("The generation this status describes.")
  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  public CellPhase getPhase() {
    return phase;
  }

  public void setPhase(CellPhase phase) {
    this.phase = phase;
  }

  public String getActiveZone() {
    return activeZone;
  }

  public void setActiveZone(String activeZone) {
    this.activeZone = activeZone;
  }

  public Integer getSlots() {
    return slots;
  }

  public void setSlots(Integer slots) {
    this.slots = slots;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CellStatus other
        && phase == other.phase
        && Objects.equals(activeZone, other.activeZone)
        && Objects.equals(slots, other.slots)
        && Objects.equals(replicas, other.replicas)
        && Objects.equals(readyReplicas, other.readyReplicas)
        && Objects.equals(selector, other.selector)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        phase,
        activeZone,
        slots,
        replicas,
        readyReplicas,
        selector,
        observedGeneration,
        conditions);
  }
}
