package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** The desired cell. */
@ValidationRule(
    value = "self.standbyZone != self.primaryZone",
    message = "standbyZone must differ from primaryZone")
@ValidationRule(
    value = "self.replicas <= self.maxReplicas",
    message = "replicas must not exceed maxReplicas")
public class CellSpec {

  private static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  @JsonPropertyDescription("The Topology (same namespace) this cell belongs to; fixed.")
  @Required
  @Pattern(DNS_LABEL) @Size(max = 63) @ValidationRule(value = "self == oldSelf", message = "topology is immutable")
  private String topology;

  @JsonPropertyDescription("Zone the cell serves from normally; a zone of its topology.")
  @Required
  @Pattern(DNS_LABEL) @Size(max = 63) private String primaryZone;

  @JsonPropertyDescription("Zone it fails over to; a zone of its topology, not primaryZone.")
  @Required
  @Pattern(DNS_LABEL) @Size(max = 63) private String standbyZone;

  @JsonPropertyDescription("Share of the topology's slots, relative to the other cells' weights.")
  @Min(1) @Default("1")
  private int weight = 1;

  @JsonPropertyDescription(
      "Instances in the active zone at least (the autoscaler's minimum; the scale subresource).")
  @Min(0) @SpecReplicas
  @Default("2")
  private int replicas = 2;

  @JsonPropertyDescription("Instances in the active zone at most (the autoscaler's maximum).")
  @Min(1) @Default("10")
  private int maxReplicas = 10;

  @JsonPropertyDescription("Warm instances kept in the standby zone.")
  @Min(0) @Default("1")
  private int standbyReplicas = 1;

  @JsonPropertyDescription("Container image of the cell app.")
  @Required
  private String image;

  @JsonPropertyDescription("Requests and limits of each cell app container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("The cell's database: a Vitess keyspace through vtgate.")
  @Required
  private Database database;

  @JsonPropertyDescription("The cell's Infinispan (Hot Rod) servers, host:port[;host:port].")
  @Required
  private String cache;

  @JsonPropertyDescription(
      "Moves all the cell's slots to another cell, fenced first; required before a Cell that"
          + " owns slots can be deleted.")
  private Drain drain;

  public String getTopology() {
    return topology;
  }

  public void setTopology(String topology) {
    this.topology = topology;
  }

  public String getPrimaryZone() {
    return primaryZone;
  }

  public void setPrimaryZone(String primaryZone) {
    this.primaryZone = primaryZone;
  }

  public String getStandbyZone() {
    return standbyZone;
  }

  public void setStandbyZone(String standbyZone) {
    this.standbyZone = standbyZone;
  }

  public int getWeight() {
    return weight;
  }

  public void setWeight(int weight) {
    this.weight = weight;
  }

  public int getReplicas() {
    return replicas;
  }

  public void setReplicas(int replicas) {
    this.replicas = replicas;
  }

  public int getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(int maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public int getStandbyReplicas() {
    return standbyReplicas;
  }

  public void setStandbyReplicas(int standbyReplicas) {
    this.standbyReplicas = standbyReplicas;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Database getDatabase() {
    return database;
  }

  public void setDatabase(Database database) {
    this.database = database;
  }

  public String getCache() {
    return cache;
  }

  public void setCache(String cache) {
    this.cache = cache;
  }

  public Drain getDrain() {
    return drain;
  }

  public void setDrain(Drain drain) {
    this.drain = drain;
  }
}
