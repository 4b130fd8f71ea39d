package io.unitcell.operator.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A set of cells over zones, sharing one slot space and one routing table. */
@Group("unitcell.io")
@Version("v1alpha1")
@ShortNames("topo")
@AdditionalPrinterColumn(name = "Slots", jsonPath = ".spec.slots", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Epoch", jsonPath = ".status.epoch", type = Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"" + Condition.READY + "\")].status",
    type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class Topology extends CustomResource<TopologySpec, TopologyStatus> implements Namespaced {}
