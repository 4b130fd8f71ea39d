package io.unitcell.operator.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts a CRD's printer columns in the order its class declares them (the fabric8 generator sorts
 * them by JSON path, which would print Age first and Ready before Slots). Run at build time by the
 * operator SDK ({@code quarkus.operator-sdk.crd.post-processor}).
 */
public class PrinterColumnOrder implements CRDPostProcessor {

  static final List<Class<? extends HasMetadata>> TYPES = List.of(Topology.class, Cell.class);

  @Override
  public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
    if (!(resource instanceof CustomResourceDefinition crd)) {
      return resource;
    }
    TYPES.stream()
        .filter(type -> HasMetadata.getFullResourceName(type).equals(crd.getMetadata().getName()))
        .findFirst()
        .ifPresent(type -> reorder(crd, declaredOrder(type)));
    return crd;
  }

  static List<String> declaredOrder(Class<?> type) {
    return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
  }

  private static void reorder(CustomResourceDefinition crd, List<String> order) {
    crd.getSpec()
        .getVersions()
        .forEach(
            version -> {
              if (version.getAdditionalPrinterColumns() == null) {
                return;
              }
              List<CustomResourceColumnDefinition> columns =
                  new ArrayList<>(version.getAdditionalPrinterColumns());
              // columns the class does not name (none today) keep their place after the named ones
              columns.sort(
                  Comparator.comparingInt(
                      c ->
                          order.contains(c.getName()) ? order.indexOf(c.getName()) : order.size()));
              version.setAdditionalPrinterColumns(columns);
            });
  }
}
