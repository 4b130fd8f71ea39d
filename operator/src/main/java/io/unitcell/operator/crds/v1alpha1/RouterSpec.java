package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The topology's router: user → slot → cell, reading the published routing table. */
public class RouterSpec {

  @JsonPropertyDescription("Container image of the router.")
  @Default("unitcell/router:0.1.0")
  private String image = "unitcell/router:0.1.0";

  @JsonPropertyDescription("Router instances, spread over the topology's zones.")
  @Min(0) @Max(100) @Default("2")
  private int replicas = 2;

  @JsonPropertyDescription("Requests and limits of each router container.")
  private ResourceRequirements resources;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public int getReplicas() {
    return replicas;
  }

  public void setReplicas(int replicas) {
    this.replicas = replicas;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
