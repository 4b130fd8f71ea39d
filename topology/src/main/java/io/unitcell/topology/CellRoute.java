package io.unitcell.topology;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a cell is served: its active zone, the endpoints ({@code host:port}) of its instances in
 * that zone, and its state.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CellRoute(String zone, List<String> endpoints, CellState state) {

  public CellRoute {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }

  public static CellRoute serving(String zone, String... endpoints) {
    return new CellRoute(zone, List.of(endpoints), CellState.SERVING);
  }

  public CellRoute withState(CellState newState) {
    return new CellRoute(zone, endpoints, newState);
  }

  public CellRoute inZone(String newZone, List<String> newEndpoints) {
    return new CellRoute(newZone, newEndpoints, state);
  }

  /** Problems with this route, each naming the cell; empty when it is valid. */
  List<String> problems(String cell) {
    List<String> problems = new ArrayList<>();
    if (zone == null || zone.isBlank()) {
      problems.add("cell " + cell + ": zone is missing");
    } else if (!Names.isDnsLabel(zone)) {
      problems.add("cell " + cell + ": zone '" + zone + "' " + Names.DNS_LABEL_RULE);
    }
    if (state == null) {
      problems.add("cell " + cell + ": state is missing (one of SERVING, FENCED, DOWN)");
    } else if (state == CellState.SERVING && endpoints.isEmpty()) {
      problems.add("cell " + cell + ": SERVING but has no endpoints");
    }
    for (String endpoint : endpoints) {
      String problem = Endpoints.problemWith(endpoint);
      if (problem != null) {
        problems.add("cell " + cell + ": endpoint '" + endpoint + "' " + problem);
      }
    }
    if (endpoints.size() != endpoints.stream().distinct().count()) {
      problems.add("cell " + cell + ": endpoints are listed twice");
    }
    return problems;
  }
}
