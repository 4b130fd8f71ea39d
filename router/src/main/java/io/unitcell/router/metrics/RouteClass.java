package io.unitcell.router.metrics;

import io.netty.handler.codec.http.HttpMethod;

/** The API route a request belongs to, as a metric label (paths carry ids, routes do not). */
public enum RouteClass {
  ORDER_CREATE("POST /orders"),
  ORDER_READ("GET /orders/{id}"),
  ORDER_ACTION("POST /orders/{id}/{action}"),
  USER_ORDERS("GET /users/{id}/orders"),
  FLASH_SALE("POST /flash-sales/{sku}/orders"),
  OTHER("other");

  private final String label;

  RouteClass(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Classifies by method and path (without the query), allocation-free. */
  public static RouteClass of(HttpMethod method, String path) {
    boolean get = method == HttpMethod.GET;
    boolean post = method == HttpMethod.POST;
    if (path.startsWith("/orders")) {
      int length = path.length();
      if (length == 7 || (length == 8 && path.charAt(7) == '/')) {
        return post ? ORDER_CREATE : OTHER;
      }
      if (path.charAt(7) != '/') {
        return OTHER;
      }
      int slash = path.indexOf('/', 8);
      if (slash < 0) {
        return get ? ORDER_READ : OTHER;
      }
      return post && path.indexOf('/', slash + 1) < 0 && slash + 1 < length ? ORDER_ACTION : OTHER;
    }
    if (get && path.startsWith("/users/") && path.endsWith("/orders")) {
      int idEnd = path.length() - "/orders".length();
      return idEnd > 7 && path.indexOf('/', 7) == idEnd ? USER_ORDERS : OTHER;
    }
    if (post && path.startsWith("/flash-sales/") && path.endsWith("/orders")) {
      int skuEnd = path.length() - "/orders".length();
      return skuEnd > 13 && path.indexOf('/', 13) == skuEnd ? FLASH_SALE : OTHER;
    }
    return OTHER;
  }
}
