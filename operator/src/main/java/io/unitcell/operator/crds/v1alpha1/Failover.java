package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Failover policy of a topology. */
public class Failover {

  /** Who starts a failover. */
  public enum Mode {
    Automatic,
    Manual
  }

  @JsonPropertyDescription(
      "Automatic: the operator fails a cell over when its active zone is down for detectionSeconds;"
          + " Manual: a person starts it.")
  @Default("Manual")
  private Mode mode = Mode.Manual;

  @JsonPropertyDescription("How long a zone must be down before an automatic failover starts.")
  @Min(5) @Default("30")
  private int detectionSeconds = 30;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public int getDetectionSeconds() {
    return detectionSeconds;
  }

  public void setDetectionSeconds(int detectionSeconds) {
    this.detectionSeconds = detectionSeconds;
  }
}
