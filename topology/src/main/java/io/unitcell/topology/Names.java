package io.unitcell.topology;

import java.util.regex.Pattern;

/** Name rules shared by cells and zones: they become Kubernetes object names and labels. */
public final class Names {
  public static final String DNS_LABEL_RULE =
      "must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private Names() {}

  public static boolean isDnsLabel(String name) {
    return name != null && DNS_LABEL.matcher(name).matches();
  }
}
