package io.unitcell.cell.order;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest stored with a used idempotency key, to tell a retry from another request under the
 * same key: SHA-256, in hex, of the request's {@link CanonicalJson} form in UTF-8. Stored keys stay
 * valid only as long as these values do; {@code RequestHashTest} pins them.
 */
public final class RequestHash {

  private RequestHash() {}

  /** The hash of a new order: its currency and its lines, in order. */
  public static String of(NewOrder order) {
    return sha256(CanonicalJson.newOrder(order));
  }

  /** The hash of a flash-sale buy: the SKU and the units. */
  public static String ofFlashSaleBuy(String sku, int quantity) {
    return sha256(CanonicalJson.flashSaleBuy(sku, quantity));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
