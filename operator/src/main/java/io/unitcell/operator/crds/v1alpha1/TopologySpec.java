package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The desired topology. */
@ValidationRule(
    value = "self.zones.all(z, self.zones.exists_one(y, y.name == z.name))",
    message = "zone names must be unique")
public class TopologySpec {

  @JsonPropertyDescription("Number of slots users are hashed into; fixed for the topology's life.")
  @Min(1) @Max(65536) @ValidationRule(value = "self == oldSelf", message = "slots is immutable")
  @Default("1024")
  private int slots = 1024;

  @JsonPropertyDescription("Zones (data centers) cells run in, each in a region.")
  @Required
  @Size(min = 1, max = 16) private List<Zone> zones;

  @JsonPropertyDescription(
      "How a cell whose active zone fails is to move to its standby zone; not acted on yet.")
  private Failover failover = new Failover();

  @JsonPropertyDescription("The topology's router Deployment and Service.")
  private RouterSpec router = new RouterSpec();

  public int getSlots() {
    return slots;
  }

  public void setSlots(int slots) {
    this.slots = slots;
  }

  public List<Zone> getZones() {
    return zones;
  }

  public void setZones(List<Zone> zones) {
    this.zones = zones;
  }

  public Failover getFailover() {
    return failover;
  }

  public void setFailover(Failover failover) {
    this.failover = failover;
  }

  public RouterSpec getRouter() {
    return router;
  }

  public void setRouter(RouterSpec router) {
    this.router = router;
  }
}
