package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Failover policy of a topology; recorded, not acted on yet (the operator runs no failover). */
public class Failover {

  /** Who starts a failover. */
  public enum Mode {
    Automatic,
    Manual
  }

  @JsonPropertyDescription(
      "Who is to start a failover: Automatic (the operator, once the active zone is down for"
          + " detectionSeconds) or Manual (a person). Not acted on yet: the operator runs no"
          + " failover.")
  @Default("Manual")
  private Mode mode = Mode.Manual;

  @JsonPropertyDescription(
      "How long a zone is to be down before an automatic failover starts (not acted on yet).")
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
