package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the operator observed and published for a topology. */
public class TopologyStatus {

  @JsonPropertyDescription("Epoch of the routing table published (bumped only when it changes).")
  private Long epoch;

  @JsonPropertyDescription("Slots per cell in the published table.")
  private Map<String, Integer> slotsByCell;

  @JsonPropertyDescription("ConfigMap holding the routing table (key routing-table.json).")
  private String routingTable;

  @JsonPropertyDescription(
      "Cells being drained whose slots are fenced, with the epoch the fence was published at.")
  private Map<String, Long> fenced;

  @JsonPropertyDescription(
      "Slots each cell holds from drains into it; planning never moves them (a move needs a"
          + " fence).")
  private Map<String, Integer> pinnedSlots;

  @JsonPropertyDescription("The generation this status describes.")
  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  public Long getEpoch() {
    return epoch;
  }

  public void setEpoch(Long epoch) {
    this.epoch = epoch;
  }

  public Map<String, Integer> getSlotsByCell() {
    return slotsByCell;
  }

  public void setSlotsByCell(Map<String, Integer> slotsByCell) {
    this.slotsByCell = slotsByCell;
  }

  public String getRoutingTable() {
    return routingTable;
  }

  public void setRoutingTable(String routingTable) {
    this.routingTable = routingTable;
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

  public Map<String, Long> getFenced() {
    return fenced;
  }

  public void setFenced(Map<String, Long> fenced) {
    this.fenced = fenced;
  }

  public Map<String, Integer> getPinnedSlots() {
    return pinnedSlots;
  }

  public void setPinnedSlots(Map<String, Integer> pinnedSlots) {
    this.pinnedSlots = pinnedSlots;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopologyStatus other
        && Objects.equals(epoch, other.epoch)
        && Objects.equals(slotsByCell, other.slotsByCell)
        && Objects.equals(routingTable, other.routingTable)
        && Objects.equals(fenced, other.fenced)
        && Objects.equals(pinnedSlots, other.pinnedSlots)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        epoch, slotsByCell, routingTable, fenced, pinnedSlots, observedGeneration, conditions);
  }
}
