package io.unitcell.router.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.unitcell.topology.SlotHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies compact JWS tokens signed with HS256 or RS256 and returns their subject.
 *
 * <p>Only the algorithms a key is configured for are accepted ({@code none} never, and an RS256
 * public key is never used as an HMAC secret). {@code exp} is required; {@code nbf}, {@code iss}
 * and {@code aud} are checked when present or configured. A verified token is remembered until it
 * expires, so the hot path of a returning client is one cache lookup and one clock read.
 */
public final class JwtVerifier {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  private final byte[] hs256Secret;
  private final List<PublicKey> rs256Keys;
  private final String issuer;
  private final String audience;
  private final long skewMillis;
  private final Clock clock;
  private final Cache<String, Verified> verified;
  private final ThreadLocal<Mac> macs;

  /** What a verified token says. */
  record Verified(String subject, long expiresAtMillis, long notBeforeMillis) {}

  /**
   * @param hs256Secret HMAC key, or null for no HS256
   * @param rs256Keys RSA public keys (any may have signed), empty for no RS256
   * @param issuer required issuer, or null
   * @param audience required audience, or null
   */
  public JwtVerifier(
      byte[] hs256Secret,
      List<PublicKey> rs256Keys,
      String issuer,
      String audience,
      Duration clockSkew,
      int cacheSize,
      Clock clock) {
    if (hs256Secret == null && rs256Keys.isEmpty()) {
      throw new IllegalArgumentException(
          "JWT mode needs a key: set unitcell.router.jwt.hs256-secret or"
              + " unitcell.router.jwt.rs256-public-key-files");
    }
    if (hs256Secret != null && hs256Secret.length < 32) {
      throw new IllegalArgumentException(
          "unitcell.router.jwt.hs256-secret must be at least 32 bytes (RFC 7518, 3.2), got "
              + hs256Secret.length);
    }
    this.hs256Secret = hs256Secret == null ? null : hs256Secret.clone();
    this.rs256Keys = List.copyOf(rs256Keys);
    this.issuer = issuer;
    this.audience = audience;
    this.skewMillis = clockSkew.toMillis();
    this.clock = clock;
    this.verified = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(this.hs256Secret, "HmacSHA256"));
                return mac;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
              }
            });
  }

  /**
   * The user id of a bearer token.
   *
   * @throws AuthException with the reason when the token is not acceptable
   */
  public String subject(String token) throws AuthException {
    long now = clock.millis();
    Verified known = verified.getIfPresent(token);
    if (known == null) {
      known = verify(token);
      verified.put(token, known);
    }
    if (now >= known.expiresAtMillis + skewMillis) {
      verified.invalidate(token);
      throw new AuthException("token expired");
    }
    if (now + skewMillis < known.notBeforeMillis) {
      throw new AuthException("token is not valid yet (nbf)");
    }
    return known.subject;
  }

  private Verified verify(String token) throws AuthException {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw new AuthException("token is malformed: not three dot-separated parts");
    }
    JsonNode header = json(token.substring(0, first), "header");
    String alg = header.path("alg").asText("");
    byte[] signed = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    byte[] signature = decode(token.substring(second + 1), "signature");
    if ("HS256".equals(alg) && hs256Secret != null) {
      byte[] expected = macs.get().doFinal(signed);
      if (!MessageDigest.isEqual(expected, signature)) {
        throw new AuthException("token signature is invalid");
      }
    } else if ("RS256".equals(alg) && !rs256Keys.isEmpty()) {
      if (!rsaVerifies(signed, signature)) {
        throw new AuthException("token signature is invalid");
      }
    } else {
      throw new AuthException("token algorithm '" + alg + "' is not accepted");
    }
    JsonNode claims = json(token.substring(first + 1, second), "payload");
    JsonNode sub = claims.get("sub");
    if (sub == null || !sub.isTextual() || !SlotHash.isValidUserId(sub.asText())) {
      throw new AuthException("token has no valid sub (user id)");
    }
    JsonNode exp = claims.get("exp");
    if (exp == null || !exp.isNumber()) {
      throw new AuthException("token has no exp");
    }
    JsonNode nbf = claims.get("nbf");
    if (nbf != null && !nbf.isNumber()) {
      throw new AuthException("token nbf is not a number");
    }
    if (issuer != null && !issuer.equals(claims.path("iss").asText(null))) {
      throw new AuthException("token issuer is not accepted");
    }
    if (audience != null && !hasAudience(claims.get("aud"))) {
      throw new AuthException("token audience is not accepted");
    }
    return new Verified(
        sub.asText(),
        seconds(exp.asDouble()),
        nbf == null ? Long.MIN_VALUE : seconds(nbf.asDouble()));
  }

  private boolean hasAudience(JsonNode aud) {
    if (aud == null) {
      return false;
    }
    if (aud.isTextual()) {
      return audience.equals(aud.asText());
    }
    for (JsonNode one : aud) {
      if (one.isTextual() && audience.equals(one.asText())) {
        return true;
      }
    }
    return false;
  }

  private boolean rsaVerifies(byte[] signed, byte[] signature) {
    for (PublicKey key : rs256Keys) {
      try {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key);
        rsa.update(signed);
        if (rsa.verify(signature)) {
          return true;
        }
      } catch (GeneralSecurityException e) {
        // a malformed signature for this key: try the next one
      }
    }
    return false;
  }

  private static long seconds(double epochSeconds) {
    return (long) (epochSeconds * 1000);
  }

  private static byte[] decode(String part, String what) throws AuthException {
    try {
      return B64.decode(part);
    } catch (IllegalArgumentException e) {
      throw new AuthException("token is malformed: " + what + " is not base64url");
    }
  }

  private static JsonNode json(String part, String what) throws AuthException {
    byte[] bytes = decode(part, what);
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new AuthException("token is malformed: " + what + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new AuthException("token is malformed: " + what + " is not JSON");
    }
  }
}
