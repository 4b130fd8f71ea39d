package io.unitcell.operator.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where a cell's data lives. */
public class Database {

  @JsonPropertyDescription("vtgate's MySQL-protocol address, host:port.")
  @Required
  @Pattern("^[^\\s:]+:[0-9]{1,5}$") private String vtgate;

  @JsonPropertyDescription("The Vitess keyspace of the cell.")
  @Required
  @Pattern("^[a-zA-Z0-9_]{1,64}$") private String keyspace;

  public String getVtgate() {
    return vtgate;
  }

  public void setVtgate(String vtgate) {
    this.vtgate = vtgate;
  }

  public String getKeyspace() {
    return keyspace;
  }

  public void setKeyspace(String keyspace) {
    this.keyspace = keyspace;
  }
}
