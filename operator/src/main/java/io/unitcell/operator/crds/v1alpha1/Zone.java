package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A zone (data center) of a topology. */
public class Zone {

  @JsonPropertyDescription("Zone name, as in the nodes' topology.kubernetes.io/zone label.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$") @Size(max = 63) private String name;

  @JsonPropertyDescription("Region the zone is in (topology.kubernetes.io/region).")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$") @Size(max = 63) private String region;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }
}
