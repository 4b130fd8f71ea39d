package io.unitcell.router.it;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Makes signed test tokens with the JDK alone (independent of the router's verifier). */
final class Tokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  static String claims(String sub, long expEpochSeconds) {
    return "{\"sub\":\"" + sub + "\",\"exp\":" + expEpochSeconds + ",\"iss\":\"unitcell-test\"}";
  }

  static long inSeconds(long seconds) {
    return System.currentTimeMillis() / 1000 + seconds;
  }

  static String hs256(byte[] secret, String claims) {
    String signed = part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signed + "." + B64.encodeToString(mac.doFinal(ascii(signed)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(PrivateKey key, String claims) {
    String signed = part("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + part(claims);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(ascii(signed));
      return signed + "." + B64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String unsigned(String claims) {
    return part("{\"alg\":\"none\"}") + "." + part(claims) + ".";
  }

  static KeyPair rsaKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String part(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
