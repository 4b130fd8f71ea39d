package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Production identity: {@code Authorization: Bearer} JWTs, HS256 and RS256 keys from config, the
 * user is {@code sub}. Every refusal is a 401 with the reason, in the body and in {@code
 * WWW-Authenticate}.
 */
class JwtIT {

  static final byte[] SECRET =
      "an-hs256-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
  static final KeyPair RSA = Tokens.rsaKeys();
  static RouterHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = new RouterHarness("jwt");
    Stub cell = harness.stub("cell-1");
    harness.writeTable(
        RoutingTable.of(
            1,
            FailoverIT.filled(1024, "cell-1"),
            Map.of("cell-1", CellRoute.serving("zone-a", cell.endpoint()))));
    Path publicKey = harness.dir.resolve("rs256.pem");
    Files.writeString(publicKey, Tokens.pem(RSA.getPublic()));
    harness.startRouter(
        Map.of(
            "UNITCELL_ROUTER_AUTH",
            "jwt",
            "UNITCELL_ROUTER_JWT_HS256_SECRET",
            new String(SECRET, StandardCharsets.UTF_8),
            "UNITCELL_ROUTER_JWT_RS256_PUBLIC_KEYS",
            publicKey.toString(),
            "UNITCELL_ROUTER_JWT_ISSUER",
            "unitcell-test"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static HttpResponse<String> withToken(String authorization, String claimedUser) {
    var request = harness.request("/orders/1", claimedUser);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return harness.send(request.GET().build());
  }

  @Test
  void hs256AndRs256TokensNameTheUserAndAHeaderCannotOverrideIt() {
    String hs = Tokens.hs256(SECRET, Tokens.claims("alice", Tokens.inSeconds(300)));
    HttpResponse<String> response = withToken("Bearer " + hs, "mallory");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode seen = RouterHarness.json(response.body());
    assertThat(seen.get("user").asText()).isEqualTo("alice");
    assertThat(seen.get("authorization").isNull()).as("token not passed on").isTrue();

    String rs = Tokens.rs256(RSA.getPrivate(), Tokens.claims("bob", Tokens.inSeconds(300)));
    response = withToken("Bearer " + rs, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(RouterHarness.json(response.body()).get("user").asText()).isEqualTo("bob");
    // the same token again comes from the router's cache of verified tokens: same answer
    assertThat(RouterHarness.json(withToken("Bearer " + rs, null).body()).get("user").asText())
        .isEqualTo("bob");
  }

  @Test
  void badTokensGet401WithTheReason() {
    long later = Tokens.inSeconds(300);
    assertRefused(null, "missing bearer token");
    assertRefused("Basic YWxpY2U6cGFzcw==", "Authorization is not a Bearer token");
    assertRefused("Bearer not-a-jwt", "token is malformed");
    assertRefused(
        "Bearer " + Tokens.hs256(SECRET, Tokens.claims("alice", Tokens.inSeconds(-3600))),
        "token expired");
    assertRefused(
        "Bearer "
            + Tokens.hs256(
                "another-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8),
                Tokens.claims("alice", later)),
        "token signature is invalid");
    assertRefused(
        "Bearer " + Tokens.rs256(Tokens.rsaKeys().getPrivate(), Tokens.claims("alice", later)),
        "token signature is invalid");
    assertRefused(
        "Bearer " + Tokens.unsigned(Tokens.claims("alice", later)),
        "token algorithm 'none' is not accepted");
    assertRefused(
        "Bearer " + Tokens.hs256(SECRET, "{\"exp\":" + later + ",\"iss\":\"unitcell-test\"}"),
        "token has no valid sub");
    assertRefused(
        "Bearer " + Tokens.hs256(SECRET, "{\"sub\":\"alice\",\"iss\":\"unitcell-test\"}"),
        "token has no exp");
    assertRefused(
        "Bearer "
            + Tokens.hs256(SECRET, "{\"sub\":\"alice\",\"exp\":" + later + ",\"iss\":\"other\"}"),
        "token issuer is not accepted");
    assertThat(harness.metric("unitcell_router_rejections_total", "unauthenticated"))
        .isGreaterThanOrEqualTo(10);
  }

  static void assertRefused(String authorization, String reason) {
    HttpResponse<String> response = withToken(authorization, "alice");
    assertThat(response.statusCode()).as(reason).isEqualTo(401);
    assertThat(response.body()).contains(reason);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(
            value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""));
  }
}
