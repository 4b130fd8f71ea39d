package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Moving all of a cell's slots to another cell: first fenced (no writes for them anywhere), then,
 * once someone has moved the data and says so, given to the target. Needed before a Cell that owns
 * slots can be deleted.
 */
public class Drain {

  @JsonPropertyDescription("The cell (same topology) that takes over this cell's slots.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$") @Size(max = 63) private String to;

  @JsonPropertyDescription(
      "Set after the users' data was copied to the target, to the fence epoch shown in the"
          + " Topology's status.fenced (the copy must start after that epoch took hold); the"
          + " slots move only then.")
  @Min(1) private Long dataMovedAtEpoch;

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public Long getDataMovedAtEpoch() {
    return dataMovedAtEpoch;
  }

  public void setDataMovedAtEpoch(Long dataMovedAtEpoch) {
    this.dataMovedAtEpoch = dataMovedAtEpoch;
  }
}
