package io.unitcell.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {

  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-11-11T00:00:00Z");
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  MutableClock clock = new MutableClock(NOW);

  JwtVerifier verifier(KeyPair rsa, String issuer, String audience) {
    return new JwtVerifier(
        SECRET,
        rsa == null ? List.of() : List.of(rsa.getPublic()),
        issuer,
        audience,
        Duration.ofSeconds(30),
        100,
        clock);
  }

  static String part(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String hs256(String header, String claims) throws GeneralSecurityException {
    String signed = part(header) + "." + part(claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    return signed
        + "."
        + B64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
  }

  static String hs256(String claims) throws GeneralSecurityException {
    return hs256("{\"alg\":\"HS256\"}", claims);
  }

  static long at(Duration fromNow) {
    return NOW.plus(fromNow).getEpochSecond();
  }

  @Test
  void acceptsAValidTokenAndRemembersItUntilItExpires() throws Exception {
    JwtVerifier verifier = verifier(null, null, null);
    String token = hs256("{\"sub\":\"alice\",\"exp\":" + at(Duration.ofMinutes(5)) + "}");
    assertThat(verifier.subject(token)).isEqualTo("alice");
    assertThat(verifier.subject(token)).isEqualTo("alice");

    clock.now = NOW.plus(Duration.ofMinutes(5)).plusSeconds(29);
    assertThat(verifier.subject(token)).as("within the clock skew").isEqualTo("alice");
    clock.now = NOW.plus(Duration.ofMinutes(5)).plusSeconds(31);
    assertThatThrownBy(() -> verifier.subject(token)).hasMessage("token expired");
  }

  @Test
  void checksNotBeforeIssuerAndAudience() throws Exception {
    JwtVerifier verifier = verifier(null, "shop", "orders");
    long exp = at(Duration.ofMinutes(5));
    assertThat(
            verifier.subject(
                hs256(
                    "{\"sub\":\"a\",\"exp\":"
                        + exp
                        + ",\"iss\":\"shop\",\"aud\":[\"x\",\"orders\"]}")))
        .isEqualTo("a");
    assertThatThrownBy(
            () ->
                verifier.subject(
                    hs256("{\"sub\":\"a\",\"exp\":" + exp + ",\"iss\":\"shop\",\"aud\":\"x\"}")))
        .hasMessage("token audience is not accepted");
    assertThatThrownBy(
            () -> verifier.subject(hs256("{\"sub\":\"a\",\"exp\":" + exp + ",\"aud\":\"orders\"}")))
        .hasMessage("token issuer is not accepted");
    String early =
        hs256(
            "{\"sub\":\"b\",\"exp\":"
                + exp
                + ",\"nbf\":"
                + at(Duration.ofMinutes(1))
                + ",\"iss\":\"shop\",\"aud\":\"orders\"}");
    assertThatThrownBy(() -> verifier.subject(early)).hasMessage("token is not valid yet (nbf)");
    clock.now = NOW.plus(Duration.ofMinutes(1));
    assertThat(verifier.subject(early)).isEqualTo("b");
  }

  @Test
  void refusesAlgorithmConfusionAndNone() throws Exception {
    KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    JwtVerifier rsaOnly =
        new JwtVerifier(null, List.of(rsa.getPublic()), null, null, Duration.ZERO, 10, clock);
    String claims = "{\"sub\":\"a\",\"exp\":" + at(Duration.ofMinutes(5)) + "}";
    // an HS256 token "signed" with the RSA public key's bytes must not pass
    String signed = part("{\"alg\":\"HS256\"}") + "." + part(claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(rsa.getPublic().getEncoded(), "HmacSHA256"));
    String confused =
        signed + "." + B64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    assertThatThrownBy(() -> rsaOnly.subject(confused))
        .hasMessage("token algorithm 'HS256' is not accepted");
    assertThatThrownBy(() -> rsaOnly.subject(part("{\"alg\":\"none\"}") + "." + part(claims) + "."))
        .hasMessage("token algorithm 'none' is not accepted");

    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(rsa.getPrivate());
    String rsSigned = part("{\"alg\":\"RS256\"}") + "." + part(claims);
    signer.update(rsSigned.getBytes(StandardCharsets.US_ASCII));
    assertThat(rsaOnly.subject(rsSigned + "." + B64.encodeToString(signer.sign()))).isEqualTo("a");
  }

  @Test
  void refusesMalformedTokensAndBadSubjects() throws Exception {
    JwtVerifier verifier = verifier(null, null, null);
    long exp = at(Duration.ofMinutes(5));
    assertThatThrownBy(() -> verifier.subject("a.b")).hasMessageContaining("malformed");
    assertThatThrownBy(() -> verifier.subject("a.b.c.d")).hasMessageContaining("malformed");
    assertThatThrownBy(() -> verifier.subject("@@@.e30.x")).hasMessageContaining("base64url");
    assertThatThrownBy(() -> verifier.subject(part("[1]") + ".e30.x"))
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> verifier.subject(hs256("{\"sub\":\"\",\"exp\":" + exp + "}")))
        .hasMessage("token has no valid sub (user id)");
    assertThatThrownBy(() -> verifier.subject(hs256("{\"sub\":7,\"exp\":" + exp + "}")))
        .hasMessage("token has no valid sub (user id)");
    assertThatThrownBy(() -> verifier.subject(hs256("{\"sub\":\"a\",\"exp\":\"soon\"}")))
        .hasMessage("token has no exp");
    String good = hs256("{\"sub\":\"a\",\"exp\":" + exp + "}");
    String tampered = good.substring(0, good.length() - 2) + (good.endsWith("A") ? "BB" : "AA");
    assertThatThrownBy(() -> verifier.subject(tampered)).hasMessage("token signature is invalid");
  }

  @Test
  void refusesShortSecretsAndNoKeys() {
    assertThatThrownBy(
            () ->
                new JwtVerifier(
                    "short".getBytes(StandardCharsets.UTF_8),
                    List.of(),
                    null,
                    null,
                    Duration.ZERO,
                    1,
                    clock))
        .hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> new JwtVerifier(null, List.of(), null, null, Duration.ZERO, 1, clock))
        .hasMessageContaining("JWT mode needs a key");
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
