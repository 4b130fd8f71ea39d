package io.unitcell.topology;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Slots {@code from..to}, both inclusive, owned by {@code cell}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SlotRange(int from, int to, String cell) {

  public int size() {
    return to - from + 1;
  }

  @Override
  public String toString() {
    return (from == to ? "slot " + from : "slots " + from + "-" + to) + " -> " + cell;
  }
}
