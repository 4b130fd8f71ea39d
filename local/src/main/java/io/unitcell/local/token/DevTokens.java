package io.unitcell.local.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Development JWTs for the local router: HS256 with {@code sub} and {@code exp}. */
public final class DevTokens {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

  private DevTokens() {}

  /** An HS256 JWT for {@code user}, valid for {@code ttl}, as the router verifies them. */
  public static String jwt(String secret, String user, Duration ttl) {
    String claims =
        encode(
            "{\"sub\":\""
                + user.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"exp\":"
                + Instant.now().plus(ttl).getEpochSecond()
                + "}");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] signature = mac.doFinal((HEADER + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return HEADER + "." + claims + "." + BASE64URL.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
