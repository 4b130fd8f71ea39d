package io.unitcell.router.table;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.RoutingTable.InvalidRoutingTableException;

/**
 * A ConfigMap published by the operator, followed with an informer (a watch that re-lists and
 * re-watches after disconnects). A 421 from a cell reads it again directly.
 */
public final class ConfigMapTableSource implements TableSource {

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String key;
  private SharedIndexInformer<ConfigMap> informer;

  /**
   * @param namespaceAndName {@code namespace/name}
   */
  public ConfigMapTableSource(KubernetesClient client, String namespaceAndName, String key) {
    int slash = namespaceAndName.indexOf('/');
    if (slash <= 0 || slash == namespaceAndName.length() - 1) {
      throw new IllegalArgumentException(
          "unitcell.router.table.configmap must be namespace/name, got '" + namespaceAndName + "'");
    }
    this.client = client;
    this.namespace = namespaceAndName.substring(0, slash);
    this.name = namespaceAndName.substring(slash + 1);
    this.key = key;
  }

  @Override
  public void start(Tables tables) {
    readNow(tables);
    informer =
        client
            .configMaps()
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ConfigMap map) {
                    apply(tables, map);
                  }

                  @Override
                  public void onUpdate(ConfigMap before, ConfigMap after) {
                    apply(tables, after);
                  }

                  @Override
                  public void onDelete(ConfigMap map, boolean unknownFinalState) {
                    tables.missing(
                        describe() + " was deleted; keeping epoch " + tables.epoch() + " in use");
                  }
                });
  }

  @Override
  public void readNow(Tables tables) {
    ConfigMap map;
    try {
      map = client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (RuntimeException e) {
      tables.missing(describe() + " cannot be read: " + e.getMessage());
      return;
    }
    if (map == null) {
      tables.missing(describe() + " does not exist");
      return;
    }
    apply(tables, map);
  }

  private void apply(Tables tables, ConfigMap map) {
    String json = map.getData() == null ? null : map.getData().get(key);
    if (json == null) {
      tables.invalid(describe() + " has no key " + key);
      return;
    }
    RoutingTable table;
    try {
      table = RoutingTable.fromJson(json);
    } catch (InvalidRoutingTableException e) {
      tables.invalid(describe() + ": " + e.getMessage());
      return;
    }
    tables.offer(table, describe());
  }

  @Override
  public String describe() {
    return "configmap " + namespace + "/" + name + " key " + key;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
