package io.unitcell.router.auth;

import io.unitcell.router.config.RouterConfig;
import io.unitcell.router.config.RouterConfig.AuthMode;
import io.unitcell.topology.SlotHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Who a request is for: the {@code sub} of a verified JWT, or in development mode a header. */
public final class Identity {

  private static final String BEARER = "Bearer ";

  private final AuthMode mode;
  private final String userHeader;
  private final JwtVerifier jwt;

  private Identity(AuthMode mode, String userHeader, JwtVerifier jwt) {
    this.mode = mode;
    this.userHeader = userHeader;
    this.jwt = jwt;
  }

  /** From the router's settings; fails with a readable message when JWT keys are missing or bad. */
  public static Identity of(RouterConfig config, Clock clock) {
    if (config.auth() == AuthMode.HEADER) {
      return new Identity(AuthMode.HEADER, config.userHeader(), null);
    }
    RouterConfig.Jwt settings = config.jwt();
    byte[] secret = settings.hs256Secret().map(Identity::secretBytes).orElse(null);
    List<PublicKey> keys = new ArrayList<>();
    for (String file : settings.rs256PublicKeyFiles().orElse(List.of())) {
      keys.add(readPublicKey(Path.of(file)));
    }
    JwtVerifier verifier =
        new JwtVerifier(
            secret,
            keys,
            settings.issuer().orElse(null),
            settings.audience().orElse(null),
            settings.clockSkew(),
            settings.cacheSize(),
            clock);
    return new Identity(AuthMode.JWT, config.userHeader(), verifier);
  }

  public AuthMode mode() {
    return mode;
  }

  /**
   * The user id of a request.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param userHeaderValue the user id header, or null (used in development mode only)
   */
  public String userOf(String authorization, String userHeaderValue) throws AuthException {
    if (mode == AuthMode.HEADER) {
      if (userHeaderValue == null || userHeaderValue.isEmpty()) {
        throw new AuthException("missing " + userHeader + " header (development mode)");
      }
      if (!SlotHash.isValidUserId(userHeaderValue)) {
        throw new AuthException(userHeader + " is not a valid user id");
      }
      return userHeaderValue;
    }
    if (authorization == null || authorization.isEmpty()) {
      throw new AuthException("missing bearer token");
    }
    if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new AuthException("Authorization is not a Bearer token");
    }
    return jwt.subject(authorization.substring(BEARER.length()).trim());
  }

  static byte[] secretBytes(String secret) {
    if (secret.startsWith("base64:")) {
      return Base64.getDecoder().decode(secret.substring("base64:".length()));
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  static PublicKey readPublicKey(Path pem) {
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the RS256 public key file " + pem, e);
    }
    int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = text.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          pem
              + " is not a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC"
              + " KEY-----)");
    }
    String base64 =
        text.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(pem + " does not hold an RSA public key: " + e, e);
    }
  }
}
